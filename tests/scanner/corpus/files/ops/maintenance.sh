#!/bin/sh
set -eu
sshpass -p 'WYaJMe%LRmZO1bcy' ssh -o StrictHostKeyChecking=no deploy@10.0.7.15
mysqldump -h db01.corp.internal -u backup -pI0Vdz2PKOKcaRqSM --single-transaction shop > shop.sql
curl -fsSL -u ci-bot:nvh1eGLpzXhwDUfORPOU https://nexus.corp.internal/repository/raw/app.tgz -o app.tgz
wget --http-user=ci --http-password=C9724yseCRQGUjmQ https://artifacts.corp.internal/app.tgz
sshpass -p "$SSHPASS" ssh deploy@host
mysql -u root -p shop
curl -u $USER:$TOKEN https://api.internal
# The --username and --password options can't be used for svn+ssh URLs.
