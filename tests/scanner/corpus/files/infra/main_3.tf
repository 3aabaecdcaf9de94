resource "aws_db_instance" "main" {
  engine   = "postgres"
  password = "5YVHo*feAqMik5HG2MNyN"
  username = "app"
}

provider "datadog" {
  client_secret = "ePtEZgUWGdF6jFCUuEgruLvOScqx_USKDPw5S5Cn"
}
db_password = var.db_password
db_password = data.vault_generic_secret.app.data["db_password"]
  password = "${random_password.db.result}"
