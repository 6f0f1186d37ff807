#!/usr/bin/env bash
# Every request type from the command line against the example school database.
# Run it while `make run` is running, from the project folder: bash examples/requests-walkthrough.sh
set -euo pipefail
source .venv/bin/activate

# Three people act, each in their own name: the nøgleperson receives and verifies, the secretary who owns
# the paper archive records its manual tasks, the DPO approves the answers. Their accounts are made here
# if they do not exist yet (an operator's step; addresses of their own, so they do not meet the accounts
# `make run` suggests), and each person's personal token is made by logging in to the workspace, as
# "Min konto" -> "Opret en ny nøgle" would. Set WALKTHROUGH_PASSWORD if you made them with another password.
PW=${WALKTHROUGH_PASSWORD:-"en lang adgangskode til eksemplet"}
account() { gdpr user list --json | grep -q "\"$1\"" || printf '%s\n' "$PW" | gdpr user add "$1" --name "$2" \
              --role "$3" --password-stdin >/dev/null; }
token() { printf '%s\n' "$PW" | python examples/workspace_token.py "$1"; }
account gennemgang.noegleperson@eksempel-skole.dk "Mille Nordstrand" employee,key_person
account sekretaer@eksempel-skole.dk "Skolesekretær Hanne Holm" system_owner   # owner of the paper archive
account gennemgang.dpo@eksempel-skole.dk "Dorthe DPO" dpo
export GDPR_TOKEN; GDPR_TOKEN=$(token gennemgang.noegleperson@eksempel-skole.dk)   # the nøgleperson, unless said otherwise
HANNE=$(token sekretaer@eksempel-skole.dk)
DORTHE=$(token gennemgang.dpo@eksempel-skole.dk)
KAREN=(--requester-name "Karen Jensen" --requester-email karen.jensen@example.dk
       --id email=karen.jensen@example.dk --id elevnummer=E1001)

submit() { gdpr request submit "$@" --json | python -c 'import json,sys; print(json.load(sys.stdin)["request_id"])'; }
wait_for() {  # wait until the request reaches a state (system actions run in the background)
  for _ in $(seq 1 60); do
    [ "$(gdpr request show "$1" --json | python -c 'import json,sys; print(json.load(sys.stdin)["state"])')" = "$2" ] && return
    sleep 0.5
  done
  echo "timed out waiting for $1 to reach $2" >&2; exit 1
}
# The check proves an address (here: the e-mail in the school's own records); the answer and every
# export go only there. Extra --set pairs confirm e.g. a new controller's address for portability.
verify() { local r=$1; shift; gdpr request act "$r" verify_identity --set method=registered_address \
             --set details="Navn og e-mail svarer til elevadministrationen" \
             --set verified_email=karen.jensen@example.dk --set verified_phone="+45 20 30 40 50" "$@" >/dev/null; }
archive() { GDPR_TOKEN=$HANNE gdpr request act "$1" complete_manual_task \
              --set system_id=papirarkiv --set result="$2" >/dev/null; }
approve() { wait_for "$1" answer_review; GDPR_TOKEN=$DORTHE gdpr request act "$1" review_answer \
              --set approve=true >/dev/null; }
school() { python - "$@" <<'PY'
import sqlite3, sys
print(sqlite3.connect("data/school.db").execute(sys.argv[1]).fetchall())
PY
}

echo "== access (art. 15)"
R=$(submit --type access --channel email "${KAREN[@]}")
verify "$R"; wait_for "$R" processing; archive "$R" "Indskrivningsblanket fra 2020"; approve "$R"
gdpr request show "$R" | sed -n 1,6p; ls data/exports/"$R"  # an AES-256 ZIP; the password went to the nøgleperson
gdpr request answer "$R" | sed -n '/andre personer/,/nødkontakt/p'   # the grandfather's number is left out (art. 15(4))
FIRST=$R

echo "== a further copy (art. 15(3)): a reasonable fee; the paper archive is exempt (databeskyttelsesloven § 22)"
R=$(submit --type access --channel email "${KAREN[@]}" --further-copy-of "$FIRST")
gdpr request act "$R" charge_fee --set ground=further_copy --set amount_dkk=95 \
  --set reasons="Karen fik en kopi i sidste måned" --set cost_basis="15 minutters arbejde à 380 kr. i timen" >/dev/null
gdpr request act "$R" refuse_part --set system_id=papirarkiv --set basis=dbl_22 \
  --set reasons="Mappen indgår i en verserende politisag" >/dev/null
gdpr request act "$R" release_third_party_data --set system_id=elevadministration --set table=elever \
  --set column=noedkontakt --set ground=consent --set reasons="Morfar har givet skriftligt samtykke" >/dev/null
verify "$R"; approve "$R"
gdpr request answer "$R" | sed -n '/delvist/,/gebyr baseret/p'

echo "== rectification (art. 16), with a supplementary statement for the paper archive"
R=$(submit --type rectification --channel letter "${KAREN[@]}" \
      --correction "elevadministration.elever.adresse=Havnegade 3, 8000 Aarhus C" \
      --statement "papirarkiv=Adressen i indskrivningsblanketten fra 2020 var midlertidig")
verify "$R"; wait_for "$R" processing; archive "$R" "Erklæringen er lagt i mappen"; approve "$R"
school "select adresse from elever where elevnummer='E1001'"
gdpr request answer "$R" | sed -n '/supplerende erklæring/,/art. 19/p'   # recipients told (art. 19)

echo "== restriction (art. 18), on the ground that Karen contests the address, then lifted"
R=$(submit --type restriction --channel email "${KAREN[@]}" --restriction-ground accuracy_contested)
verify "$R"; wait_for "$R" processing; archive "$R" "Mappen er mærket 'kun opbevaring'"; approve "$R"
school "select begraenset from elever where elevnummer='E1001'"
gdpr request act "$R" lift_restriction --set reasons="Adressen er bekræftet korrekt" >/dev/null
wait_for "$R" closed; school "select begraenset from elever where elevnummer='E1001'"

echo "== portability (art. 20): consent/contract data only, also transferred to a confirmed new school"
R=$(submit --type portability --channel email "${KAREN[@]}" --transfer-to modtagelse@ny-skole.example)
verify "$R" --set confirm_transfer_to=modtagelse@ny-skole.example \
  --set transfer_confirmation="Bekræftet ved opringning til den nye skoles kontor"
approve "$R"
python -c "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).namelist())" data/exports/"$R"/*.zip

echo "== objection (art. 21) against the newsletter"
R=$(submit --type objection --channel email "${KAREN[@]}" --objection "Nyhedsbrevet")
verify "$R"
gdpr request act "$R" decide_objection --set accept=true --set reasons="Ingen vægtige grunde" >/dev/null
wait_for "$R" processing; archive "$R" "Ingen papirudsendelser"; approve "$R"
school "select frameldt from nyhedsbrev where email='karen.jensen@example.dk'"

echo "== erasure (art. 17)"
R=$(submit --type erasure --channel email "${KAREN[@]}")
verify "$R"
gdpr request act "$R" refuse_part --set system_id=elevadministration --set table=fravaer --set basis=legal_claims \
  --set reasons="Fraværet indgår i en verserende klagesag" >/dev/null   # kept; the rest is erased
gdpr request act "$R" assess_erasure --set purpose_no_longer_present=true --set no_outstanding_obligations=true \
  --set reasons="Familien er fraflyttet kommunen; intet udestående" >/dev/null
wait_for "$R" processing; archive "$R" "Mappen er makuleret"; approve "$R"
school "select count(*) from foto_samtykke where elevnummer='E1001'"
school "select count(*) from betalinger where foraelder_email='karen.jensen@example.dk'"
gdpr request answer "$R" | sed -n '/Vi har slettet/,/art. 19/p'

echo "== all requests"
gdpr requests
echo "mails: $(ls data/mail | wc -l) in data/mail/"
