import ArgumentParser
import HealthLedgerStore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check that the log is intact (the hash chain, sequence numbers without gaps, the append-only triggers) and that the projection equals a replay of it.",
        discussion: "Prints the event count and the head hash; publish the hash elsewhere to prove later that nothing before it changed. Exit status 1 when a check fails."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Fail unless the head hash is this one.")
    var expectHead: String?

    func run() throws {
        let log = try database.open(readOnly: true)
        let verification = try log.verify()
        print("events: \(verification.eventCount)")
        print("head: \(verification.headHash)")
        var failed = !verification.isIntact
        for problem in verification.problems { printError("audit: \(problem)") }
        let projection = try log.verifyProjection()
        for difference in projection.differences { printError("audit: \(difference)") }
        failed = failed || !projection.isEqual
        if let expectHead, expectHead.lowercased() != verification.headHash {
            printError("audit: the head hash is \(verification.headHash), not the expected \(expectHead)")
            failed = true
        }
        print(failed ? "audit: FAILED" : "audit: the log is intact and the projection equals its replay")
        if failed { throw ExitCode(1) }
    }
}
