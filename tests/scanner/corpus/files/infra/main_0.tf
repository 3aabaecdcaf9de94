resource "aws_db_instance" "main" {
  engine   = "postgres"
  password = "aaniC!LjCZ4h6"
  username = "app"
}

provider "datadog" {
  openai_api_key = "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"
}
db_password = var.db_password
db_password = data.vault_generic_secret.app.data["db_password"]
  password = "${random_password.db.result}"
