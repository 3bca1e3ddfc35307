import Foundation
import HealthLedgerCore
import HealthLedgerSimulation
import HealthLedgerStore

/// Append cost at scale and dashboard latency: 10 000 events appended to a log of `size`
/// events beside 10 000 appended to a log of 10 000, each the continuation of its log's own
/// stream (so that on both the appended events meet the units they continue), and the
/// in-process time of one seller's dashboard on the large log.
///
/// Three logs of 10 000: the first 10 000 events of the large log's stream ("young": a
/// marketplace's first hours, whose continuation places and ships orders of one to three
/// events); 10 000 of a stream as long as the large one with an order a day for each seller
/// ("aged": its continuation, like the large log's, also delivers, returns and rates orders of
/// the past weeks, but spans four months, so several of its events land on each unit where the
/// large log's land on one); and the large stream's sellers' configurations with its last events
/// before the continuation ("recent"), which takes the very chunk each run appends to the large
/// log: the same events reaching the same units, whose histories there hold only their last
/// hours.
enum ProjectionBenchmark {
    static let chunk = 10_000

    static func run(binary: String, size: Int, runs: Int, work: URL) throws {
        let sellers = 20
        let total = size + runs * chunk
        var generator = EventGenerator(.init(sellers: sellers, days: 400, ordersPerDay: max(1, total / (sellers * 400 * 4)),
                                             seed: 11, duplicateFraction: 0))
        let big = work.appendingPathComponent("big.ndjson")
        let young = SmallLog(name: "young", work: work)
        let aged = SmallLog(name: "aged", work: work)
        let recent = SmallLog(name: "recent", work: work, takesLargeLogChunks: true)
        let smallLogs = [young, aged, recent]
        var chunks = (0..<runs).map { work.appendingPathComponent("chunk-\($0).ndjson") }
        try FileLines.write(generator: &generator, limit: total) { index in
            guard index < size else { return [chunks[(index - size) / chunk]] }
            var files = [big]
            if index < chunk { files.append(young.events) } else if index < 2 * chunk { files.append(young.continuation) }
            // The stream starts with each seller's configuration.
            if index < sellers || index >= size - chunk + sellers { files.append(recent.events) }
            return files
        }
        chunks = chunks.filter { FileManager.default.fileExists(atPath: $0.path) }
        precondition(!chunks.isEmpty, "the generated stream ended before \(size) events: ask for more")
        var agedGenerator = EventGenerator(.init(sellers: sellers, days: 400, ordersPerDay: 1, seed: 11, duplicateFraction: 0))
        try FileLines.write(generator: &agedGenerator, limit: 2 * chunk) { index in
            [index < chunk ? aged.events : aged.continuation]
        }

        let bigLog = work.appendingPathComponent("big.sqlite").path
        let buildSeconds = ingest(binary, big.path, into: bigLog)
        print("built the large log: \(size) events in \(format(buildSeconds)) s, \(Int(Double(size) / buildSeconds)) events/s with projections")
        for log in smallLogs { _ = ingest(binary, log.events.path, into: log.path) }

        var smallSeconds = [[Double]](repeating: [], count: smallLogs.count), bigSeconds: [Double] = []
        for (run, chunkFile) in chunks.enumerated() {
            for (index, log) in smallLogs.enumerated() { smallSeconds[index].append(try log.timeAppend(binary: binary, largeLogChunk: chunkFile)) }
            bigSeconds.append(ingest(binary, chunkFile.path, into: bigLog))
            let small = zip(smallLogs, smallSeconds).map { log, seconds in "onto 10 000 (\(log.name)): \(format(seconds.last!)) s" }
            print("run \(run + 1): 10 000 events " + small.joined(separator: ", ") + ", onto \(size): \(format(bigSeconds.last!)) s")
        }
        let bigMedian = median(bigSeconds)
        let smallMedians = zip(smallLogs, smallSeconds).map { log, seconds in (name: log.name, seconds: median(seconds)) }
        print("append 10 000, median: onto 10 000 " + smallMedians.map { "\($0.name) \(format($0.seconds)) s" }.joined(separator: ", ") + ", onto \(size) \(format(bigMedian)) s")
        print("ratio onto \(size) against onto 10 000: " + smallMedians.map { String(format: "%.2fx ", bigMedian / $0.seconds) + $0.name }.joined(separator: ", "))

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
        let processSeconds = (0..<5).map { _ in
            timedRun(binary, ["metrics", "--db", bigLog, "--seller", "seller-7", "--as-of", day.description, "--format", "json"])
        }
        print("`healthledger metrics --format json` as a whole process (start-up included), median of 5: \(String(format: "%.1f", median(processSeconds) * 1000)) ms")
    }

    /// A log of 10 000 events, appended to afresh in each run: a copy of it takes the
    /// continuation of its own stream, or the chunk the run appends to the large log.
    struct SmallLog {
        let name: String
        let events, continuation: URL
        let path: String
        private let copy: String
        private let takesLargeLogChunks: Bool

        init(name: String, work: URL, takesLargeLogChunks: Bool = false) {
            self.name = name
            events = work.appendingPathComponent("\(name).ndjson")
            continuation = work.appendingPathComponent("\(name)-continuation.ndjson")
            path = work.appendingPathComponent("\(name).sqlite").path
            copy = work.appendingPathComponent("\(name)-run.sqlite").path
            self.takesLargeLogChunks = takesLargeLogChunks
        }

        func timeAppend(binary: String, largeLogChunk: URL) throws -> Double {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            return ingest(binary, (takesLargeLogChunks ? largeLogChunk : continuation).path, into: copy)
        }
    }

    private static func ingest(_ binary: String, _ file: String, into path: String) -> Double {
        timedRun(binary, ["ingest", "--db", path, "--recorded-at", "2028-01-01T00:00:00Z", file])
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
