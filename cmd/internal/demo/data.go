package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"docledger/domain/party"
)

// namespace makes the demo's ids fixed, so loading it twice changes nothing
// and README can name them.
var namespace = uuid.MustParse("1b4e28ba-2fa1-11d2-883f-0016d3cca427")

// User is a demo person with NCA-like certificates (a SIGN and an AUTH one).
type User struct {
	// Login names the user in `ledgerctl demo sign --as LOGIN`.
	Login              string
	IIN                string
	Surname, GivenName string
	BIN, Organisation  string
	Roles              []string
	// Party is the Key of the demo party the user acts for ("" for the
	// newcomer, who is in no party yet).
	Party string
	// Role is the user's role in that party.
	Role party.Role
}

// Users are the demo users; every IIN and BIN has a valid check digit.
var Users = []User{
	{Login: "serik", IIN: "880512300401", Surname: "АХМЕТОВ", GivenName: "СЕРИК", BIN: "210640001200", Organisation: "ТОО «Демо Логистика»",
		Roles: []string{RoleOrganisation, RoleFirstHead}, Party: "idocs", Role: party.RoleFirstHead},
	{Login: "dana", IIN: "920315400506", Surname: "НУРЛАНОВА", GivenName: "ДАНА", BIN: "210640001200", Organisation: "ТОО «Демо Логистика»",
		Roles: []string{RoleOrganisation, RoleEmployee}, Party: "idocs", Role: party.RoleEmployee},
	{Login: "marat", IIN: "750720300109", Surname: "ЖАКУПОВ", GivenName: "МАРАТ", BIN: "190540002308", Organisation: "ТОО «Демо Консалтинг»",
		Roles: []string{RoleOrganisation, RoleFirstHead}, Party: "atameken", Role: party.RoleFirstHead},
	{Login: "gulnara", IIN: "841102400206", Surname: "САПАРОВА", GivenName: "ГУЛЬНАРА",
		Roles: []string{RoleIndividual}, Party: "centerpro", Role: party.RoleSelf},
	{Login: "timur", IIN: "951230300308", Surname: "БЕКОВ", GivenName: "ТИМУР",
		Roles: []string{RoleIndividual}, Party: "ismet", Role: party.RoleSelf},
	{Login: "alibek", IIN: "010205500405", Surname: "ОМАРОВ", GivenName: "АЛИБЕК",
		Roles: []string{RoleIndividual}, Party: "kezekte", Role: party.RoleSelf},
	{Login: "erlan", IIN: "800317300506", Surname: "ДЕМОВ", GivenName: "ЕРЛАН",
		Roles: []string{RoleIndividual}},
}

// Party is a demo party: one for each operator profile.
type Party struct {
	// Key names it in the demo ("idocs"); its profile has the same name.
	Key            string
	Profile        string
	Kind           party.Kind
	IdentityNumber string
	Names          party.Names
	Contacts       party.Contacts
}

// ID is the party's id.
func (p Party) ID() uuid.UUID { return uuid.NewSHA1(namespace, []byte("party-"+p.Key)) }

// Parties are the demo parties, one per operator profile.
var Parties = []Party{
	{Key: "idocs", Profile: "idocs.v1", Kind: party.KindLegalEntity, IdentityNumber: "210640001200",
		Names:    party.Names{Full: "Товарищество с ограниченной ответственностью «Демо Логистика»", Short: "ТОО «Демо Логистика»"},
		Contacts: party.Contacts{Email: "office@logistika.demo.kz", Phone: "+77272000001", Address: "Алматы, пр. Абая, 1"}},
	{Key: "atameken", Profile: "atameken.v1", Kind: party.KindLegalEntity, IdentityNumber: "190540002308",
		Names:    party.Names{Full: "Товарищество с ограниченной ответственностью «Демо Консалтинг»", Short: "ТОО «Демо Консалтинг»"},
		Contacts: party.Contacts{Email: "info@consulting.demo.kz", Address: "Астана, ул. Кунаева, 2"}},
	{Key: "centerpro", Profile: "centerpro.v1", Kind: party.KindEntrepreneur, IdentityNumber: "841102400206",
		Names: party.Names{Full: "ИП «Сапарова Г.»"}, Contacts: party.Contacts{Email: "gulnara@demo.kz", Phone: "+77010000002"}},
	{Key: "ismet", Profile: "ismet.v1", Kind: party.KindIndividual, IdentityNumber: "951230300308",
		Names: party.Names{Full: "Беков Тимур"}, Contacts: party.Contacts{Phone: "+77010000003"}},
	{Key: "kezekte", Profile: "kezekte.v1", Kind: party.KindIndividual, IdentityNumber: "010205500405",
		Names: party.Names{Full: "Омаров Алибек"}, Contacts: party.Contacts{Email: "alibek@demo.kz"}},
}

// PartyByKey returns the demo party key.
func PartyByKey(key string) (Party, bool) {
	for _, p := range Parties {
		if p.Key == key {
			return p, true
		}
	}
	return Party{}, false
}

// UserByLogin returns the demo user login.
func UserByLogin(login string) (User, bool) {
	for _, u := range Users {
		if u.Login == login {
			return u, true
		}
	}
	return User{}, false
}

// Offer is a demo operator's public offer, version 1.
type Offer struct {
	ID      string
	Profile string
	// Texts by language: the profile's source languages.
	Texts map[string]string
}

// Offers are the demo offers, one per operator profile.
var Offers = []Offer{
	offerOf("idocs", "ru"), offerOf("atameken", "kk"), offerOf("centerpro", "kk", "ru"),
	offerOf("ismet", "kk"), offerOf("kezekte", "kk", "ru"),
}

func offerOf(profile string, langs ...string) Offer {
	o := Offer{ID: "demo-" + profile + "-offer", Profile: profile + ".v1", Texts: map[string]string{}}
	for _, l := range langs {
		switch l {
		case "kk":
			o.Texts[l] = fmt.Sprintf("DEMO. %s операторының жария офертасы, 1-редакция (қазақ тіліндегі мәтін). Бұл демонстрациялық мәтін, заңды күші жоқ.\n", profile)
		default:
			o.Texts[l] = fmt.Sprintf("DEMO. Публичная оферта оператора %s, редакция 1 (текст на русском языке). Демонстрационный текст, юридической силы не имеет.\n", profile)
		}
	}
	return o
}

// OfferFor returns the demo offer of profile id (idocs, kezekte...).
func OfferFor(profile string) (Offer, bool) {
	for _, o := range Offers {
		if o.ID == "demo-"+profile+"-offer" {
			return o, true
		}
	}
	return Offer{}, false
}

// OfferTextFile is where WriteOfferTexts puts the text of o in language
// lang, for a demo PKI in dir: dir/offers/PROFILE.LANG.txt.
func OfferTextFile(dir string, o Offer, lang string) string {
	return filepath.Join(dir, "offers", strings.TrimSuffix(o.Profile, ".v1")+"."+lang+".txt")
}

// WriteOfferTexts writes the demo offers' texts beside the PKI, so a
// newcomer can sign one (ledgerctl demo sign) to accept an offer by EDS.
func WriteOfferTexts(p *PKI) error {
	if err := os.MkdirAll(filepath.Join(p.Dir, "offers"), 0o755); err != nil {
		return err
	}
	for _, o := range Offers {
		for l, t := range o.Texts {
			if err := writeFile(OfferTextFile(p.Dir, o, l), []byte(t), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
