#!/bin/sh
set -eu
curl -fsS -u "rZOCKIr7pkETirBg8cQBIyDb:" https://api.payments.internal/v1/charges
curl -fsS -H "X-Auth-Token: 003te5pnVghwEksWcHrX0zY7U3a0LB2L" https://jobs.corp.internal/api/v1/queue
LOGIC_APP_URL='https://prod-97.westeurope.logic.azure.com:443/workflows/bc56abd4a227b49720963c2f03a7987e/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=uck1XM2GTbMOXvqtjvuQVEwMqZHCuj5DCGQLrHTingD'
INGEST_URL='https://orders-prod.azurewebsites.net/api/HttpIngest?code=kR2-UN00LHgZGpFlw2u3l1Us9nRhkHjLhEXPglu6W5vpyTbXvyO1KO=='
LD_API_TOKEN=api-92ac0eef-bb20-4b50-ad57-b95e12a8e2ce
SOURCEGRAPH_TOKEN=dec76c3613f4fcf4b7cc748f58174b97fd256747
curl -fsS -u "$STRIPE_SECRET_KEY:" https://api.payments.internal/v1/charges
curl -fsS -H "X-Auth-Token: <token>" https://jobs.corp.internal/api/v1/queue
DOCS_URL='https://orders-prod.azurewebsites.net/api/HttpIngest?code=<function-key>'
AZURE_API_VERSION=api-version=2016-10-01
SOURCEGRAPH_COMMIT=c0d3f465f329
