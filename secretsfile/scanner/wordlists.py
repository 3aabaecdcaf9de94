"""Word lists of the placeholder filter (filters.py): data, kept apart from the logic.

Imported on the first candidate the filter judges, not when the engine loads: a
pre-commit run whose staged lines hold no keyword never reads these lists. Words are
separated by whitespace and compared with the lower-cased value.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


#: Whole values that say "no value here" (the empty string is one too).
EMPTY_LIKE = frozenset(
    _words(
        """
    "" '' ... [] any api-key api_key apikey bytes default empty false fixme int key n/a
    na nil no none null object optional pass passwd password pwd required secret str
    string tbd todo token true undefined value yes {} …
        """
    )
) | {""}

#: Obvious test and demo passwords; a whole-value match only ("sk_test_..." stays a finding).
TEST_PASSWORDS = frozenset(
    _words(
        """
    123456 1234567 12345678 123456789 1234567890 abc abc123 abcdef admin admin123
    administrator bar baz changeit demo dummy fake foo foobar foobarbaz guest hunter2
    letmein mock my_password mypass mypassword mysecret opensesame p@ssw0rd p@ssword
    pa55word pass123 pass1234 passw0rd password1 password12 password123 password1234
    qwerty qwerty123 root s3cr3t s3cret sample secret123 sesame super_secret
    supersecret test test-password test123 test_password testing testpass testpassword
    tests toor topsecret user username welcome welcome1
        """
    )
) | {"33f!!lloppa"}  # the ClearTextPassword of NuGet's nuget.config documentation

#: Substrings of values written to be replaced: examples, masks, "your_..._here".
PLACEHOLDER_WORDS = tuple(
    _words(
        """
    changeme change_me change-me changethis change_this replaceme replace_me replace-me
    replace_with placeholder example redacted dummy your_ your- yourkey yourtoken
    yourpassword yoursecret insert_ insert- enter_your enter-your put_your _here -here
    notreal not_real not-a-real not_a_real fakekey fake_key fake-key faketoken
    fake_token fakepassword fake_password fakesecret fake_secret xxxxx ***** #####
    00000000
        """
    )
)
