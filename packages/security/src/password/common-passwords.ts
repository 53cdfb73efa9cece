/**
 * The most common passwords, from public breach-corpus frequency lists (RockYou, the NCSC
 * "100k most used" list, yearly top-lists), lower-cased. Short entries are kept although the
 * length rule already refuses them, so the list still helps when `minLength` is raised elsewhere.
 * Deliberately small: a few hundred entries the attacker tries first. For a full breached-password
 * check, add a k-anonymity lookup (e.g. Have I Been Pwned) in the application.
 */
const LIST = `
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball
abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890
michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan
jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou
2000 charlie robert thomas hockey ranger daniel starwars klaster 112233 george computer michelle
jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa
ginger princess joshua cheese amanda summer love ashley nicole chelsea biteme matthew access
yankees 987654321 dallas austin thunder taylor matrix william corvette hello martin heather
secret merlin diamond 1234qwer gfhjkm hammer silver 222222 88888888 anthony justin test bailey
q1w2e3r4t5 patrick internet scooter orange 11111 golfer cookie richard samantha bigdog guitar
jackson whatever mickey chicken sparky snoopy maverick phoenix camaro peanut morgan welcome
falcon cowboy ferrari samsung andrea smokey steelers joseph mercedes dakota arsenal eagles
melissa boomer booboo spider nascar monster tigers yellow xxxxxx 123123123 gateway marina
diablo bulldog qwer1234 compaq purple hardcore banana junior hannah 123654 porsche lakers
iceman money cowboys 987654 london tennis 999999 ncc1701 coffee scooby 0000 miller boston
q1w2e3r4 brandon yamaha chester mother forever johnny edward 333333 oliver redsox player
nikita knight fender barney midnight please brandy chicago badboy slayer rangers charles
angel flower rabbit wizard jasper enter rachel chris steven winner adidas victoria
natasha 1q2w3e4r jasmine winter prince marine ghbdtn fishing cocacola casper james
232323 raiders 888888 marlboro gandalf asdfasdf crystal 87654321 12344321 golden 8675309
password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword pa55word pa$$w0rd
qwerty123 qwerty1 qwerty12 qwertyui 1q2w3e4r5t 1q2w3e4r5t6y zaq12wsx zaq1zaq1 1qaz2wsx3edc
iloveyou1 iloveyou2 princess1 sunshine1 football1 baseball1 monkey123 dragon123 abc12345
abcd1234 abcdefg abcdefgh 123abc 12341234 11223344 1122334455 123456a 123456abc a123456
a12345678 aa123456 123456789a 1234567a 12345678a 0123456789 00000000 123456789012 1234512345
1111111111 99999999 66666666 12121212 123454321 147258369 741852963 159357 147852369 qweasdzxc
asdfghjkl zxcvbnm123 qwertyuiop123 asdf1234 letmein1 welcome1 welcome123 admin admin123
administrator root toor changeme changeme123 default guest login logon secret123 test123
test1234 testing master123 passport security superman1 batman123 football123 liverpool
manchester chelsea1 arsenal1 starwars1 pokemon minecraft fortnite roblox blink182 michael1
jordan23 lovely loveme iloveu myspace1 friends babygirl1 princesa tequiero teamo contraseña
motdepasse passwort qwertz azerty soleil bonjour hallo123 senha ciao123 hejsan
unknown whatever1 nothing 1234abcd linkedin facebook google instagram twitter
youtube apple123 samsung1 nokia qwerty1234 asd123 qwe123 zxc123 1q2w3e 1qazxsw2 q2w3e4r5
summer2024 summer2025 summer2026 winter2024 winter2025 winter2026 spring2025 autumn2025
january february march2025 october november december password2024 password2025 password2026
company123 welcome2025 welcome2026 letmein123 monkey1 shadow1 master1 hunter2 killer1
`;

/** The built-in list, lower-cased and NFKC-normalised. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  LIST.split(/\s+/)
    .filter(Boolean)
    .map((p) => p.normalize('NFKC').toLowerCase()),
);

/**
 * True when `password` is on the built-in list of the most common passwords (compared
 * case-insensitively after NFKC normalisation).
 *
 * @example
 * isCommonPassword('Password123'); // true
 * isCommonPassword('correct horse battery staple'); // false
 */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.normalize('NFKC').toLowerCase());
}
