import Foundation
import HealthLedgerCore
import HealthLedgerSimulation
import HealthLedgerStore

/// Append cost at scale and dashboard latency: 10 000 events appended to a log of `size`
/// events beside 10 000 appended to a log of 10 000, each the continuation of its log's own
/// stream (so that on both the appended events meet the units they continue), and the
/// in-process time of one seller's dashboard on the large log.
enum ProjectionBenchmark {
    static let chunk = 10_000

    static func run(binary: String, size: Int, runs: Int, work: URL) throws {
        let sellers = 20
        let total = size + runs * chunk
        var generator = EventGenerator(.init(sellers: sellers, days: 400, ordersPerDay: max(1, total / (sellers * 400 * 4)),
                                             seed: 11, duplicateFraction: 0))
        let big = work.appendingPathComponent("big.ndjson")
        let small = work.appendingPathComponent("small.ndjson")
        let smallContinuation = work.appendingPathComponent("small-continuation.ndjson")
        var chunks = (0..<runs).map { work.appendingPathComponent("chunk-\($0).ndjson") }
        try FileLines.write(generator: &generator, limit: total) { index in
            if index < chunk { return [small, big] }
            if index < 2 * chunk { return [smallContinuation, big] }
            if index < size { return [big] }
            return [chunks[(index - size) / chunk]]
        }
        chunks = chunks.filter { FileManager.default.fileExists(atPath: $0.path) }

        let bigLog = work.appendingPathComponent("big.sqlite").path
        let smallLog = work.appendingPathComponent("small.sqlite").path
        let buildSeconds = try ingest(binary, big.path, into: bigLog)
        print("built the large log: \(size) events in \(format(buildSeconds)) s, \(Int(Double(size) / buildSeconds)) events/s with projections")
        _ = try ingest(binary, small.path, into: smallLog)

        var smallSeconds: [Double] = [], bigSeconds: [Double] = []
        for (run, chunkFile) in chunks.enumerated() {
            let copy = work.appendingPathComponent("small-run.sqlite").path
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
            try FileManager.default.copyItem(atPath: smallLog, toPath: copy)
            smallSeconds.append(try ingest(binary, smallContinuation.path, into: copy))
            bigSeconds.append(try ingest(binary, chunkFile.path, into: bigLog))
            print("run \(run + 1): 10 000 events onto 10 000: \(format(smallSeconds.last!)) s, onto \(size): \(format(bigSeconds.last!)) s")
        }
        print("append 10 000, median: onto 10 000 \(format(median(smallSeconds))) s, onto \(size) \(format(median(bigSeconds))) s, ratio \(String(format: "%.2f", median(bigSeconds) / median(smallSeconds)))x")

        let log = try EventLog(path: bigLog, readOnly: true)
        let day = CivilDate(year: 2027, month: 1, day: 31)
        var dashboardSeconds: [Double] = []
        for _ in 0..<21 {
            let start = now()
            let dashboard = try log.dashboard(seller: "seller-7", asOf: day)
            dashboardSeconds.append(now() - start)
            precondition(dashboard.readings[0].counts.denominator > 0, "the dashboard is empty")
        }
        print("dashboard of one seller on the large log, in process, median of 21: \(String(format: "%.2f", median(dashboardSeconds) * 1000)) ms")
        var processSeconds: [Double] = []
        for _ in 0..<5 {
            let start = now()
            let run = Process()
            run.executableURL = URL(fileURLWithPath: binary)
            run.arguments = ["metrics", "--db", bigLog, "--seller", "seller-7", "--as-of", day.description, "--format", "json"]
            run.standardOutput = FileHandle.nullDevice
            try run.run()
            run.waitUntilExit()
            processSeconds.append(now() - start)
        }
        print("`healthledger metrics --format json` as a whole process (start-up included), median of 5: \(String(format: "%.1f", median(processSeconds) * 1000)) ms")
    }

    private static func ingest(_ binary: String, _ file: String, into path: String) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["ingest", "--db", path, "--recorded-at", "2028-01-01T00:00:00Z", file]
        process.standardOutput = FileHandle.nullDevice
        let start = now()
        try process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "ingest of \(file) failed")
        return now() - start
    }
}

/// Writes generated lines to files, each line to the files `destinations` names for its index.
enum FileLines {
    static func write(generator: inout EventGenerator, limit: Int, destinations: (Int) -> [URL]) throws {
        var handles: [URL: FileHandle] = [:]
        var buffers: [URL: [UInt8]] = [:]
        var index = 0
        func flush(_ url: URL) {
            handles[url]!.write(Data(buffers[url]!))
            buffers[url]!.removeAll(keepingCapacity: true)
        }
        generator.run { line in
            guard index < limit else { return }
            for url in destinations(index) {
                if handles[url] == nil {
                    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
                    handles[url] = FileHandle(forWritingAtPath: url.path)!
                    buffers[url] = []
                }
                buffers[url]!.append(contentsOf: line.utf8)
                buffers[url]!.append(0x0A)
                if buffers[url]!.count > 1 << 20 { flush(url) }
            }
            index += 1
        }
        for url in handles.keys { flush(url); try handles[url]!.close() }
    }
}

func now() -> Double { Date().timeIntervalSince1970 }
func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
