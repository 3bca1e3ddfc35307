import ArgumentParser
import HealthLedgerCore
import HealthLedgerStore

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check that the log is intact (the hash chain, sequence numbers without gaps, the append-only triggers) and that the projection equals a replay of it.",
        discussion: "Prints the event count and the head hash; publish the hash elsewhere to prove later that nothing before it changed. Exit status 1 when a check fails."
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Fail unless the head hash is this one.")
    var expectHead: String?

    @Option(help: "text, or json: one report object on standard output.")
    var format: ReportFormat = .text

    func run() throws {
        let log = try database.open(readOnly: true)
        let verification = try log.verify()
        let bar = ProgressLine()
        let total = Int(verification.eventCount)
        let projection = try log.verifyProjection { bar.update(done: $0, of: total, "events replayed") }
        bar.clear()
        let headMatches = expectHead.map { $0.lowercased() == verification.headHash }
        let failed = !verification.isIntact || !projection.isEqual || headMatches == false
        switch format {
        case .json:
            print(json(verification, projection, headMatches: headMatches, passed: !failed).prettyPrinted)
        case .text:
            print("events: \(verification.eventCount)")
            print("head: \(verification.headHash)")
            for problem in verification.problems { printError("audit: \(problem)") }
            for difference in projection.differences { printError("audit: \(difference)") }
            if headMatches == false, let expectHead {
                printError("audit: the head hash is \(verification.headHash), not the expected \(expectHead)")
            }
            print(failed ? "audit: FAILED" : "audit: the log is intact and the projection equals its replay")
        }
        if failed { throw ExitCode(1) }
    }

    private func json(_ log: LogVerification, _ projection: ProjectionVerification, headMatches: Bool?, passed: Bool) -> JSONValue {
        func counts(_ counts: Counts) -> JSONValue { .object(JSONObject([("numerator", .integer(counts.numerator)), ("denominator", .integer(counts.denominator))])) }
        return .object(JSONObject([
            ("passed", .bool(passed)),
            ("events", .integer(log.eventCount)),
            ("head", .string(log.headHash)),
            ("expected_head", expectHead.map { .string($0.lowercased()) } ?? .null),
            ("head_matches", headMatches.map(JSONValue.bool) ?? .null),
            ("log_problems", .array(log.problems.map { problem in
                var members: [(key: String, value: JSONValue)] = [("kind", .string(problem.kind))]
                if let sequence = problem.sequence { members.append(("sequence", .integer(sequence))) }
                members.append(("message", .string(problem.description)))
                return .object(JSONObject(members))
            })),
            ("projection_differences", .array(projection.differences.map { difference in
                .object(JSONObject([
                    ("seller", .string(difference.seller)), ("metric", .string(difference.metric)), ("as_of", .string(difference.day.description)),
                    ("projected", counts(difference.projected)), ("replayed", counts(difference.replayed)),
                ]))
            })),
        ]))
    }
}
