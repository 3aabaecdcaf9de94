resource "aws_db_instance" "main" {
  engine   = "postgres"
  password = "pBOJI@Y9rQxKeX8"
  username = "app"
}

provider "datadog" {
  vault_token = "hvs.CAESIOuhshft8AFRugEyVOiWuZR3Lt-pJsqIzMhwh00SOjsN8sp-NtO9hB1D1pIdSkfvPVwA-hE5HWtjJqOXot0KSgTJMK9"
}
db_password = var.db_password
db_password = data.vault_generic_secret.app.data["db_password"]
  password = "${random_password.db.result}"
