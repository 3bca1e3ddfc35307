import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerStore

public struct HealthLedgerCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "healthledger",
        abstract: "Event-sourced account-health metrics for marketplace sellers.",
        subcommands: [IngestCommand.self, ImportCommand.self, ReconcileCommand.self, MetricsCommand.self, EventsCommand.self, AuditCommand.self, ReplayCommand.self, TrendCommand.self, ExplainCommand.self, ForecastCommand.self, ReportCommand.self, GenerateCommand.self, SchemaCommand.self]
    )

    public init() {}

    /// Runs the command line with the exit statuses the contract's tools promise:
    /// 0 success, 1 what the command itself reports (rejected lines, a failed check),
    /// 2 usage or I/O error, always with one sentence on standard error.
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        // A file-size limit (ulimit -f) then fails the write, which the store reports as a full
        // disk, instead of killing the process without a word.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as StoreError {
            fail(error.description)
        } catch let error as InputError {
            fail(error.description)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            fail(fullMessage(for: error))
        }
    }

    private static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("healthledger: \(message)\n".utf8))
        Foundation.exit(2)
    }
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database file.", discussion: "Default: $HEALTHLEDGER_DB, else healthledger.sqlite in the current directory."))
    var db: String?

    var path: String { db ?? ProcessInfo.processInfo.environment["HEALTHLEDGER_DB"] ?? "healthledger.sqlite" }

    func open(readOnly: Bool = false) throws -> EventLog { try EventLog(path: path, readOnly: readOnly) }
}

extension Instant: ExpressibleByArgument {
    public init?(argument: String) { self.init(rfc3339: argument) }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

extension Instant {
    /// The clock. Only the command line reads it; everything below it is given instants.
    static var now: Instant { Instant(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)) }
}

extension SellerSettings {
    /// The day an `--as-of` option names, or today in the seller's time zone.
    func day(asOf option: String?, at instant: Instant = .now) -> CivilDate {
        option.flatMap(CivilDate.init(iso:)) ?? CivilDate(daysSinceEpoch: calendar.day(of: instant))
    }
}
