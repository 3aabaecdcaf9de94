package main

import "os"

const (
	wandbApiKey = "f71597035e047a0ff5a927ab41a4626e4c1cb919"
	azureClientSecret = "KVF8Q~ni5cCHj_UyXrW6EhwkIBzRTg5EltKBNmeN"
	slackWebhookUrl = "https://hooks.slack.com/services/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"
)
func main() {
	slackWebhookUrl := "https://hooks.slack.com/services/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"
	newRelicApiKey := "NRAK-ES5UZ62VMP3JVI5SGASFQG4C5XN"
	encryptedBlob := "gAAAAAB5rmAPeYjHi2u1wf3Csy4u-oqYd6u5uMqsVrJt7YELC_IlJpra1hgJgYB3cn4Pru6XKp37xHhZ74lKbvYde_ChH9MsugU3BzmuFzM3g_4MBLS"
	md5sum := "ac02f07f8eeb2052988ada04d3e471a9"
	tokenType := "Bearer"
dbPassword := os.Getenv("DB_PASSWORD")
}
