import ArgumentParser
import Foundation
import HealthLedgerCore
import HealthLedgerSimulation

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic contract events as NDJSON to standard output; the same seed gives the same output."
    )

    @Option(help: "How many sellers.")
    var sellers = 3

    @Option(help: "How many days, from --first-day.")
    var days = 90

    @Option(help: "Mean orders per seller and day.")
    var ordersPerDay = 50

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    @Option(help: "The share of events that arrive days late, out of order (0–1).")
    var lateFraction = 0.05

    @Option(help: "The first day, YYYY-MM-DD.")
    var firstDay = "2026-01-01"

    func validate() throws {
        guard sellers > 0, days > 0, ordersPerDay >= 0 else { throw ValidationError("--sellers and --days must be positive, --orders-per-day not negative.") }
        guard (0...1).contains(lateFraction) else { throw ValidationError("--late-fraction must be from 0 to 1.") }
        guard CivilDate(iso: firstDay) != nil else { throw ValidationError("--first-day must be a date like 2026-01-01.") }
    }

    func run() throws {
        var generator = EventGenerator(.init(sellers: sellers, days: days, ordersPerDay: ordersPerDay, seed: seed,
                                             lateFraction: lateFraction, firstDay: CivilDate(iso: firstDay)!))
        var output = BufferedOutput()
        generator.run { output.write($0) }
        output.flush()
    }
}

/// Standard output in large writes.
struct BufferedOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
