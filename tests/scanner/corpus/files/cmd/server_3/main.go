package main

import "os"

const (
	mailchimpApiKey = "cc12e1799712096a9c572753b332fa5e-us21"
	cloudflareApiToken = "cfut_7YKA01wSSRXqdXnQEbUEg3EIHwhvcrdCbF5MgpHYda40a55a"
	gitlabToken = "glpat-re3qNVaiW_ibYcMJmftt"
)
func main() {
	slackWebhookUrl := "https://hooks.slack.com/services/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"
	mailgunApiKey := "key-1eb6294b2e1da621ec4b442581954512"
	encryptedBlob := "gAAAAAB-Nm7lZ0NYx6cuwGywF8Bd8OH1M1VM3F3t8cDl529SEczKY8KAdps9cW_qc_UzDX_tH_Plmq8SZp7GzQ3N8lSon8-O7MAxomTuMXougJDL0Ai"
	apiKeyHeader := "X-Api-Key"
	apiKey := "<your-api-key>"
dbPassword := os.Getenv("DB_PASSWORD")
}
