package httpapi

import (
	"testing"

	"github.com/google/uuid"

	"docledger/adapters/policy"
	"docledger/commands"
)

// Every command the generic endpoint accepts has an access rule: a command
// added to clientCommands without one fails here (and is refused at run
// time).
func TestEveryClientCommandHasARule(t *testing.T) {
	id := uuid.New()
	cmds := []commands.Command{
		&commands.RegisterDocument{DocumentID: id, SenderParty: "BIN990140000123"}, &commands.SendDocument{DocumentID: id},
		&commands.DeliverDocument{DocumentID: id}, &commands.RegisterParty{PartyID: id},
		&commands.CompleteRegistrationStage{PartyID: id}, &commands.AcceptOffer{PartyID: id}, &commands.AddPartyUser{PartyID: id},
		&commands.RemovePartyUser{PartyID: id}, &commands.OpenOrgUnit{PartyID: id}, &commands.BindCertificate{PartyID: id},
		&commands.ChangeRequisites{PartyID: id}, &commands.ReportCompromise{PartyID: id}, &commands.NotifyTermination{PartyID: id},
		&commands.AcceptTariff{PartyID: id}, &commands.ObjectToAmendment{PartyID: id},
	}
	seen := map[string]bool{}
	for _, c := range cmds {
		name := commands.Name(c)
		seen[name] = true
		action, res, err := commandRule(c)
		if err != nil || action == "" || action == policy.Public {
			t.Errorf("%s: %q %v", name, action, err)
		}
		if res.Party == uuid.Nil && res.Document == uuid.Nil && res.PartyRef == "" && action != policy.PartyRegister {
			t.Errorf("%s: no resource", name)
		}
	}
	for name := range clientCommands {
		if !seen[name] {
			t.Errorf("client command %s is not in this test", name)
		}
	}
	if _, _, err := commandRule(&commands.PublishOfferVersion{OfferID: "x"}); err == nil {
		t.Error("an operator's command has a client rule")
	}
}
