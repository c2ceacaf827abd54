package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"docledger/domain/calendar"
	"docledger/domain/kzid"
	"docledger/domain/profile"
	"docledger/profiles"
)

// runID is "ledgerctl id check NUMBER": it says whether NUMBER is a valid
// IIN or BIN and what it encodes. Exit 0 only when it is valid.
func runID(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: ledgerctl id check NUMBER")
		return 2
	}
	id, err := kzid.Parse(args[1])
	if err != nil {
		fmt.Fprintf(stdout, "%s: invalid\n", args[1])
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "%s: valid %s\n", id.Number, id.Kind)
	switch id.Kind {
	case kzid.KindIIN:
		fmt.Fprintf(stdout, "birth date: %s\nsex: %s\n", id.BirthDate.Format("2006-01-02"), id.Sex)
	case kzid.KindBIN:
		fmt.Fprintf(stdout, "registered: %02d/%02d\nentity type: %s\ndivision: %s\n", id.RegisteredMM, id.RegisteredYY, id.EntityType, id.Division)
	}
	return 0
}

const calendarUsage = `usage:
  ledgerctl calendar add-working-days DATE N
  ledgerctl calendar deadline --profile P --rule R --from TIME

DATE is YYYY-MM-DD; TIME is RFC 3339, or YYYY-MM-DDTHH:MM in Asia/Almaty,
or a date (its start). P is a profile id (latest version) or id.vN.
Each answer names the calendar version it was computed on; an answer that
reaches a year whose Kurban Ait date or transfers of days off are not
published yet is computed from the law's rules and says "provisional: true"
with the reason.`

// runCalendar is "ledgerctl calendar": working days and deadlines on the
// Kazakhstan business calendar.
func runCalendar(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, calendarUsage)
		return 2
	}
	cal, err := calendar.Kazakhstan()
	if err != nil {
		return fail(stderr, err)
	}
	switch args[0] {
	case "add-working-days":
		if len(args) != 3 {
			fmt.Fprintln(stderr, calendarUsage)
			return 2
		}
		d, err := calendar.ParseDate(args[1])
		if err != nil {
			return fail(stderr, err)
		}
		n, err := strconv.Atoi(args[2])
		if err != nil {
			return fail(stderr, fmt.Errorf("N %q is not a whole number", args[2]))
		}
		out, err := cal.AddWorkingDays(d, n)
		if err != nil {
			return fail(stderr, err)
		}
		st, err := cal.StatusBetween(d, out)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintln(stdout, out)
		printProvenance(stdout, cal.Version(), st.Provisional, st.Reason)
		return 0
	case "deadline":
		return runDeadline(cal, args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "ledgerctl calendar: unknown sub-command %q\n%s\n", args[0], calendarUsage)
	return 2
}

func runDeadline(cal *calendar.Calendar, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ledgerctl calendar deadline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	prof := fs.String("profile", "", "policy profile: id or id.vN")
	rule := fs.String("rule", "", "deadline rule id of the profile")
	from := fs.String("from", "", "time of the event the period runs from")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *prof == "" || *rule == "" || *from == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, calendarUsage)
		return 2
	}
	t, err := calendar.ParseTime(*from)
	if err != nil {
		return fail(stderr, err)
	}
	ref, err := profile.ParseRef(*prof)
	if err != nil {
		return fail(stderr, err)
	}
	cat, err := profiles.Catalog()
	if err != nil {
		return fail(stderr, err)
	}
	p, err := cat.Get(ref)
	if err != nil {
		return fail(stderr, withProfileChoices(err, cat))
	}
	d, err := profile.NewEngine(p, cal).Deadline(*rule, t)
	if err != nil {
		return fail(stderr, withRuleChoices(err, p))
	}
	fmt.Fprintf(stdout, "profile: %s\nrule: %s (clause %s)\nfrom: %s\nlast day: %s\ndue: %s\n",
		d.Profile, d.Rule, d.Clause, calendar.InAlmaty(d.From).Format("2006-01-02T15:04:05Z07:00"),
		d.LastDay, calendar.InAlmaty(d.At).Format("2006-01-02T15:04:05Z07:00"))
	if d.Calendar != "" {
		printProvenance(stdout, d.Calendar, d.Provisional, d.Reason)
	}
	return 0
}

// printProvenance says which calendar computed an answer and, when it is
// provisional, why.
func printProvenance(w io.Writer, version string, provisional bool, reason string) {
	fmt.Fprintf(w, "calendar: %s\n", version)
	if provisional {
		fmt.Fprintf(w, "provisional: true\nreason: %s\n", reason)
	}
}
