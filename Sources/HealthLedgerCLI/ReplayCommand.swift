import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerStore

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild the projection from the log, in memory; compare it with the live one, or put it in its place.",
        discussion: """
            The replay rebuilds the unit histories and every seller's daily counters, in memory; without \
            --rebuild the live tables are never touched. --verify compares every metric and every day \
            and exits with status 1 on any difference. --rebuild replaces the projection in one transaction \
            (readers see the old or the new one, never a mix): how a changed metric definition is rolled out. \
            --snapshots rebuilds the snapshots that known-at queries start from (ingest keeps them up to date; \
            deleting them loses nothing).
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only this seller's events.")
    var seller: String?

    @Option(help: "Only the events recorded up to this time (RFC 3339).")
    var knownAt: String?

    @Flag(help: "Compare the replay with the live projection.")
    var verify = false

    @Flag(help: "Replace the live projection with the replay of the whole log.")
    var rebuild = false

    @Flag(help: "Rebuild every seller's replay snapshots: one at the end of each of the last seven recorded days, and of each month before.")
    var snapshots = false

    func validate() throws {
        if let knownAt, Instant(rfc3339: knownAt) == nil { throw ValidationError("--known-at must be an RFC 3339 time like 2026-03-12T23:59:59-08:00.") }
        if rebuild, verify || seller != nil || knownAt != nil { throw ValidationError("--rebuild replays the whole log: give it alone.") }
        if snapshots, rebuild || verify || seller != nil || knownAt != nil { throw ValidationError("--snapshots replays every seller's log: give it alone.") }
        if verify, knownAt != nil { throw ValidationError("--verify compares with the projection as of now: drop --known-at.") }
    }

    func run() throws {
        let start = Date()
        func rate(_ events: Int) -> String {
            let seconds = Date().timeIntervalSince(start)
            return String(format: "%d events in %.2f s (%.0f events/s)", events, seconds, Double(events) / max(seconds, 1e-9))
        }
        let log = try rebuild || snapshots ? database.open() : database.open(readOnly: true)
        // A bar on a terminal; the total is the whole log's (a seller's share ends it early).
        let bar = ProgressLine()
        let total = Int(try log.count)
        let progress = { (done: Int) in bar.update(done: done, of: total, "events replayed") }
        defer { bar.clear() }
        if snapshots {
            let sellers = try log.sellers().count
            try log.rebuildSnapshots { bar.update(done: $0, of: sellers, "sellers' snapshots rebuilt") }
            bar.clear()
            print("rebuilt the snapshots of \(sellers) sellers from \(rate(total))")
        } else if rebuild {
            try log.rebuildProjection(progress: progress)
            bar.clear()
            print("rebuilt the projection from \(rate(total))")
        } else if verify {
            let verification = try log.verifyProjection(seller: seller, progress: progress)
            bar.clear()
            for difference in verification.differences { printError("replay: \(difference)") }
            print("replayed \(rate(verification.eventCount))")
            print(verification.isEqual ? "replay: the projection equals the replay" : "replay: FAILED, \(verification.differences.count) differences")
            if !verification.isEqual { throw ExitCode(1) }
        } else {
            let replay = try log.replay(seller: seller, knownAt: knownAt.flatMap(Instant.init(rfc3339:)), progress: progress)
            let counters = replay.deltasBySeller
            bar.clear()
            print("replayed \(rate(replay.eventCount)), sellers: \(counters.count), daily counters: \(counters.values.reduce(0) { $0 + $1.deltas.count })")
        }
    }
}
