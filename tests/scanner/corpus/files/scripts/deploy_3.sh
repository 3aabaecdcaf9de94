#!/usr/bin/env bash
set -euo pipefail
export DISCORD_WEBHOOK="https://discord.com/api/webhooks/5672431928554674451/tkOM3IectTACrmTkfzhLPb32pA-NTpU2XKPylA9kKKbxcPBS2R-3KjssKIKbA0g7Sw-y"
export BITBUCKET_APP_PASSWORD="ATBBKuTnkscXyY6I0aLUMM1EFTHmIDAr7USs"
export DOCKERHUB_TOKEN="dckr_pat_5NFmLyZ7wJqejoLchlS4vd4j5gS"
export DB_PASSWORD="${DB_PASSWORD:?set DB_PASSWORD}"
API_TOKEN="$(vault kv get -field=value secret/api_token)"
mysql -u deploy --password=mVraC.TTN3ontqQ -h db.internal app < schema.sql
docker login -u ci --password "$REGISTRY_PASSWORD" registry.internal
curl -fsS -u deploy:ArWnoXCuO0DgSJLxL6 https://artifacts.internal/upload
curl -fsS -u "$ARTIFACT_USER:$ARTIFACT_PASSWORD" https://artifacts.internal/upload
curl -H "Authorization: Bearer TygWSyv5yGMA4LxjNko1zfiadJJMsofmBEukpUGS" https://api.internal/v1/deploy
curl -H "Authorization: Bearer $API_TOKEN" https://api.internal/v1/deploy
echo 11d525affa94b130443c58fd5497c6df7286556d926cb550bb4754363235fbe7  release.tar.gz | sha256sum -c -
