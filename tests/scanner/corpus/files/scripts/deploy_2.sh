#!/usr/bin/env bash
set -euo pipefail
export GH_PAT="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"
export GOOGLE_API_KEY="AIzaSyI0BLuoaDb8OklOOxrSah4vxeQyY7Dveaf"
export VAULT_TOKEN="hvs.CAESIinqmuHcLW2ta1IYlUXL2p9vY1b9yTRwt2V-8hVf3CUrsUVpfZrFQaNfnjRMHQGvLw4KctxRKT_V7Ji0-HEXXmf-7eb"
export API_TOKEN="${API_TOKEN:?set API_TOKEN}"
DB_PASSWORD="$(vault kv get -field=value secret/db_password)"
mysql -u deploy --password=tvuPm-gjEQkOtV4252fx -h db.internal app < schema.sql
docker login -u ci --password "$REGISTRY_PASSWORD" registry.internal
curl -fsS -u deploy:eOLDx11y2uEj3C1ojt https://artifacts.internal/upload
curl -fsS -u "$ARTIFACT_USER:$ARTIFACT_PASSWORD" https://artifacts.internal/upload
curl -H "Authorization: Bearer kXbT1a5IB6I0dqs88vNThQAJ0lzl0FZRDbwcmGmj" https://api.internal/v1/deploy
curl -H "Authorization: Bearer $API_TOKEN" https://api.internal/v1/deploy
echo c25f5dd6b33132d54ff16345693355c1cfc6a32789cabc08b36e6d837f547dc1  release.tar.gz | sha256sum -c -
