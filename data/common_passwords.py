"""Passwords too common to allow: the most used ones in published breach statistics, keyboard
walks, and the words anyone would try first against a record label's analytics app (the
product's name, music-business words). Compared without case, and also with digits and
punctuation removed from both ends (see data.passwords)."""

from __future__ import annotations

_WORDS = """
123456 1234567 12345678 123456789 1234567890 12345678910 0123456789 987654321 9876543210
111111 1111111 11111111 000000 00000000 121212 123123 123123123 123321 654321 666666
696969 7777777 88888888 112233 131313 159753 147258369 123654 1q2w3e 1q2w3e4r 1q2w3e4r5t
1qaz2wsx 2wsx3edc zaq12wsx zaq1zaq1 q1w2e3r4 a1b2c3d4 abc123 abcd1234 abcdef abcdefg
abcdefgh abc12345 aa123456 a123456 a12345678 qwerty qwerty1 qwerty12 qwerty123 qwertyuiop
qwertyui qwert asdf asdfgh asdfghjk asdfghjkl asdf1234 zxcvbn zxcvbnm zxcv1234 qazwsx
qazwsxedc qweasd qweasdzxc qwe123 1qazxsw2 poiuytrewq mnbvcxz iloveyou iloveu loveyou
password passw0rd p@ssword p@ssw0rd pa55word pass1234 password1 password12 password123
passwort motdepasse contrasena contraseña senha wachtwoord salasana lozinka haslo parola
secret secret123 letmein letmein1 welcome welcome1 welcome123 login admin admin123 admin1234
administrator root toor changeme changeit default guest test test123 testing tester temp
temp123 temppass master master123 access access14 trustno1 monkey dragon shadow sunshine
princess football baseball basketball soccer hockey superman batman spiderman starwars
pokemon michael jennifer jordan jordan23 hunter hunter2 ranger buster thomas robert
charlie daniel andrew joshua matthew jessica ashley amanda nicole michelle maggie ginger
pepper summer winter autumn spring freedom whatsup cheese cookie chocolate coffee
computer internet google yahoo hotmail facebook instagram linkedin twitter youtube
tiktok snapchat netflix spotify apple microsoft windows samsung nokia iphone android
killer hello hello123 hello1 helloworld qwerty11 mustang harley corvette ferrari porsche
mercedes yamaha fuckyou fuckoff asshole bitch nothing anything something everything
money money123 banana orange lemon flower flowers purple yellow silver golden diamond
blessed jesus christ heaven angel angels lovely loveme lover friends family forever
happy happy123 smile beautiful sweet sweetie baby babygirl babyboy princess1 monkey1
dragon1 shadow1 sunshine1 superman1 football1 baseball1 charlie1 michael1 jordan1
qwerty1234 passpass password! letmein! zaq!2wsx 1234qwer qwer1234 1234abcd
abcd abc 123 1234 12345 aaaaaa aaaaaaaa zzzzzzzz xxxxxxxx asdasd asdasdasd qweqwe qweqweqwe
azerty azertyuiop qwertz qwertzuiop
labelradar label-radar label_radar labelradar1 labelradar123 radar radar123 label label123
labels recordlabel record-label records record music music123 musician musiclover
musicbiz musicbusiness streaming streams stream spotify1 applemusic soundcloud deezer
tidal bandcamp youtubemusic amazonmusic pandora napster shazam playlist playlists
playlist1 charts chart hitrecord hitsingle single album albums vinyl cassette mixtape
demo demo123 demodemo demopass studio recording mastering producer producer1 beats
beatmaker hiphop rapper rock rocknroll rockandroll metal heavymetal punk jazz blues
techno house trance dubstep edm reggae country classical guitar guitar1 drums drummer
bass bassist piano keyboard singer songwriter song songs lyrics melody rhythm harmony
concert festival tour gig backstage headliner encore royalty royalties publishing
publisher artist artists manager management marketing analytics dashboard trends
trend report reports catalog catalogue budget budgets campaign campaigns approver
viewer viewers manager1 admin1 superuser sysadmin operator support helpdesk office
company business finance account accounts user user123 username newuser myaccount
mypassword yourpassword nopassword nopass letmeinnow openup opensesame
"""

COMMON_PASSWORDS: frozenset[str] = frozenset(word.casefold() for word in _WORDS.split())
