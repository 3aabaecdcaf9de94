# ruff: noqa
import os

import requests

requests.post(url, headers={"X-Api-Key": "odt_3tZ18KPM3shwYhs8esOzHhCd5egKPKHN"})
client = TavilyClient(api_key="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")
aio = Client("ops-sensors", "aio_zVMlPWMLCN39XSuEtlvshEIg7by8")
HOOK = "https://outlook.office.com/webhook/d8ef5382-c7c7-4f40-a639-f7f7cc44b4e3@4f786655-25fe-422c-ab36-9fb8af1684a8/IncomingWebhook/69bd729c16214649dd1f6e0905dbda7a/0169320f-c923-4de0-a205-930ba659ae5b"

WG_CONF = '''
[Interface]
PrivateKey = r2DbPNdyuF2UBKhOx1n3ylijqVYb/RdaNyAaKT+fLug=
[Peer]
PublicKey = cykkA1IYUGhq45CD+8lJJ2sCMZu+DJ0SA74yVUuaNzU=
'''
UNSEAL = 'Unseal Key 1: iu1ZNIxKQxDfUzPYwoLe9jw3l5gAL0/64wzz4Chh+y9K'
bot.run(os.environ["DISCORD_TOKEN"])
