import HealthLedgerCLI
HealthLedgerCommand.runAndExit()
