# netai.vlm_server: the two commands are `make setup` and `make test`.
.PHONY: setup test lint sanity unit ee syntax build molecule bench deploy help

help:
	@echo "make setup                 virtualenv, Docker engine, test-host images (idempotent)"
	@echo "make test                  lint, sanity, unit, ee, syntax, build and every Molecule scenario"
	@echo "make test ROLE=docker      one role's Molecule scenarios (SCENARIO=name for one)"
	@echo "make lint|sanity|unit|ee|syntax|build|molecule   one stage"
	@echo "make bench                 time deploy.yml on 1, 4 and 8 test hosts against the floor (see README)"
	@echo "make deploy LIMIT=sv4000-2 ansible-playbook deploy.yml -l LIMIT"

setup:
	scripts/setup.sh

test:
	ROLE=$(ROLE) SCENARIO=$(SCENARIO) scripts/test.sh

lint sanity unit ee syntax build molecule:
	ROLE=$(ROLE) SCENARIO=$(SCENARIO) scripts/test.sh $@

bench:
	scripts/bench.sh

deploy:
	@test -n "$(LIMIT)" || { echo "set LIMIT, e.g. make deploy LIMIT=sv4000-2"; exit 2; }
	.venv/bin/ansible-playbook deploy.yml -l $(LIMIT)
