resource "aws_db_instance" "main" {
  engine   = "postgres"
  password = "72gzP_iJOlW1W"
  username = "app"
}

provider "datadog" {
  openai_api_key = "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"
}
db_password = var.db_password
db_password = data.vault_generic_secret.app.data["db_password"]
  password = "${random_password.db.result}"
