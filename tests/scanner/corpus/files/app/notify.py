# ruff: noqa
pw = "PXHsQV#38tX2mfQ"
r = requests.get(url, auth=("etl", "r7KRGf_sBE2qb"))
passwort = "I4Pwaz@8ZzIpyXT"
pw = "letmein"
# If you pass `--no-import-all`, the last two imports are skipped.
model = Model(password='IAmSensitive', password_bytes=b'IAmSensitiveBytes')
