#!/usr/bin/env bash
set -euo pipefail
export DB_PASSWORD="qySKW%KjyGaCRXXmZ7O"
export STRIPE_SECRET_KEY="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"
export CLOUDFLARE_API_TOKEN="cfut_Wuu3vhKc4SMUOhz0XtRhn8iqORQr7YCsHwtbJ8KMed3851f5"
export API_TOKEN="${API_TOKEN:?set API_TOKEN}"
DB_PASSWORD="$(vault kv get -field=value secret/db_password)"
mysql -u deploy --password=kx5LU@Pjcx5R00Q -h db.internal app < schema.sql
docker login -u ci --password "$REGISTRY_PASSWORD" registry.internal
curl -fsS -u deploy:3nWIKQmJHUe1VQPRkx https://artifacts.internal/upload
curl -fsS -u "$ARTIFACT_USER:$ARTIFACT_PASSWORD" https://artifacts.internal/upload
curl -H "Authorization: Bearer rS6ZXvTPXKiZakmJIDDSd8SM0iPqBLbEW2EAKAVO" https://api.internal/v1/deploy
curl -H "Authorization: Bearer $API_TOKEN" https://api.internal/v1/deploy
echo 3fad6edd9ba0e5bc89f16274b9758d88d0a08f6b98e513844b85d33d881b6ea1  release.tar.gz | sha256sum -c -
