// The commonest passwords of 8 characters or more (from the public breach top lists): the first
// ones an attacker tries, refused when an account's password is chosen. Lower case; compared
// case-insensitively.
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `password 12345678 123456789 1234567890 qwertyuiop qwerty123 iloveyou 11111111 00000000 password1
password123 password12 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qaz2wsx3edc zaq12wsx zaq1zaq1 qwertyui asdfghjk
asdfghjkl zxcvbnm123 abcd1234 abc12345 abcdefgh 12341234 12344321 87654321 123123123 123321123
11223344 112233445566 123456780 1234567899 0987654321 9876543210 qazwsxedc qwer1234 q1w2e3r4
q1w2e3r4t5 sunshine princess football baseball welcome1 welcome123 superman iloveyou1 trustno1
starwars whatever michelle jennifer jordan23 liverpool chelsea1 arsenal1 computer internet
letmein1 letmein123 monkey123 dragon123 master123 shadow123 charlie1 michael1 samsung1 samsung123
passw0rd p@ssw0rd p@ssword pa55word passpass password! password1! qwerty12 qwerty1234 qwertyu1
1111111111 2222222222 12121212 66666666 88888888 99999999 77777777 55555555 22222222 33333333
44444444 aaaaaaaa a1b2c3d4 a12345678 1234qwer asdf1234 asdfasdf zxcvbnm1 zxcvbnmm changeme
changeme1 administrator admin123 admin1234 adminadmin root1234 rootroot test1234 testtest
welcome! secret123 default1 letmein! iloveyou2 lovelove loveyou1 babygirl1 football1 baseball1
basketball soccer123 hockey123 batman123 spiderman pokemon1 minecraft computer1 whatever1
mustang1 corvette ferrari1 mercedes hello123 hello1234 helloworld goodluck freedom1 blessed1
jesus123 jesuschrist christmas summer2020 summer2021 summer2022 summer2023 summer2024 summer2025
winter2023 winter2024 spring2024 autumn2024 january1 february march2024 september october1
november december1 monday123 1234abcd 12345abc 12345qwert 123qweasd 123qweasdzxc qweasdzxc
qweasd123 1qazxsw2 2wsx3edc 3edc4rfv !qaz2wsx 1q2w3e4r5t6y 1q2w3e4r! q1w2e3r4! azertyuiop
azerty123 qwertzuiop 123456789a a123456789 123456789q 12345678a 1234567a aa123456 aa12345678
abc123456 abcd12345 12qwaszx 123abc123 1password mypassword yourpassword newpassword
password01 password2 password11 password99 passwort hallo123 schalke04 ficken123 motdepasse
contraseña contrasena senha123 parola123 sifre123 haslo123 salasana wachtwoord lozinka1
seatkeeper seatkeeper1 autocad1 solidworks revit2024 license1 licence1 engineer company1
office123 welcome2024 welcome2025 changeit changeit1 temp1234 temppass guest123 user1234
login123 access14 letmeinnow iamgod123 godisgood 987654321 9876543210 147258369 159357456
147852369 741852963 963852741 258456852 123654789 147896325 1a2b3c4d 1z2x3c4v`
    .split(/\s+/)
    .filter((p) => p.length > 0),
);

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}
