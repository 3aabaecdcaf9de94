package main

import "os"

const (
	discordWebhook = "https://discord.com/api/webhooks/9500648804857252446/1PGjugRSx7gMNufgu0P2hkMx4J0wpRp9WYuY_UEF-AeQGu2jvKR87SD9OHF-mF2SZ82v"
	awsSecretAccessKey = "E5QIEtARNr/Ixa/rFUV0WJ/QIpZSwfVdcPlAPJ3W"
	neptuneApiToken = "eyJhcGlfYWRkcmVzcyI6Imh0dHBzOi8vYXBwLm5lcHR1bmUuYWkiLCJhcGlfdXJsIjoiaHR0cHM6Ly9hcHAubmVwdHVuZS5haSIsImFwaV9rZXkiOiI4YmVhZDc5ODdiYTU5YzQ4NmI0YTU1M2QwMWIyOGUyYmVhYzUifQ=="
)
func main() {
	databricksToken := "dapi7f28ef7c676e6a40ac0c6e9030c83da8"
	githubToken := "ghp_00V4kJGuGLogVAUJP5jsUWKg7zzY9uuz95Tz"
	testPassword := "password"
	clientSecret := "<client-secret>"
	apiKey := "<your-api-key>"
dbPassword := os.Getenv("DB_PASSWORD")
}
