package main

import "os"

const (
	cohereApiKey = "DMq5TzkxM2KmU7ts5hrsdaZHL99pkhhIKH2qhZ3M"
	sopsAgeKey = "AGE-SECRET-KEY-17QRWWVN694ZGEJZGS7V9KWZNMNNK6TS6SD7279KTG6TZZ6U2RSCWKRTDUZ"
	apiToken = "whMYHRluWQPnOR8JsO0aSM1CS1snlr5EUgkP00UZ"
)
func main() {
	opServiceAccountToken := "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsZOhqDyQpEeVykHA4RSZWry80Q1UQ1ZJs2yFxcU3m0a8OrDzk+m7Ol+VZflyjLg9slFNNaAKj5NubNAQLQ7g0EXWFTq/7jJEXtOL2DuWwN/ZEbubANVR8GO6szg4Bkz/pnv+7iO5GtYa3971/itV3fP3WH3egHbl7b8AJXtihFImtG/f1ObQq3qMX8JJbrmJuE94xaC/nBOh5xkGcykotn1r5o/YUZj616KhoS/z4hHd2jmMHCiQcYNB7kxqV7vNK0JqaaRFXv4s06YkSChc6hFIYEsJQyJU9HsN1zXBeYV/N"
	mailgunApiKey := "key-7a1496ab400224113735f10fa13b018b"
	checksumSha256 := "4ff6db9831f9e37832d1f0929d76bf46dc83d85f24418d46f018cc7c0ce6ebf2"
	passwordMinLength := "12"
	md5sum := "f069f674fed077f7a9957aa2eb638d61"
dbPassword := os.Getenv("DB_PASSWORD")
}
