import Foundation
import HealthLedgerCore
import Testing

/// `schemas/corpus/` holds lines for every rejection class the decoder can give on its own,
/// each with the verdict the contract asks for.
struct ValidationCorpusTests {
    static let lines = try! Repository.lines("schemas/corpus/lines.ndjson")
    static let expected = try! String(contentsOf: Repository.url("schemas/corpus/expected.txt"), encoding: .utf8)
        .split(separator: "\n").map(String.init)

    static func verdict(_ line: [UInt8]) -> String {
        if EventDecoder.isBlank(line) { return "blank" }
        switch EventDecoder.decode(line) {
        case .success: return "ok"
        case .failure(let rejection): return "\(rejection.reason.rawValue) \(rejection.field)"
        }
    }

    @Test func everyLineGetsTheContractsVerdict() {
        #expect(Self.lines.count == Self.expected.count)
        for (index, line) in Self.lines.enumerated() {
            #expect(Self.verdict(line) == Self.expected[index], "line \(index + 1): \(String(decoding: line, as: UTF8.self))")
        }
    }

    @Test func theCorpusCoversEveryClassTheDecoderGives() {
        let decoderClasses: Set<RejectionReason> = [.badJSON, .notObject, .missingField, .wrongType, .badEnum, .badTimestamp, .outOfRange, .badLength]
        let covered = Set(Self.expected.compactMap { $0.split(separator: " ").first.flatMap { RejectionReason(rawValue: String($0)) } })
        #expect(covered == decoderClasses)
    }

    /// An independent JSON Schema validator (Python's jsonschema, installed by ops/test) reading
    /// `schemas/` accepts exactly the lines the Swift decoder accepts.
    @Test func theSchemasAndTheDecoderAgree() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repository.url("ops/schema-check.py").path, Repository.url("schemas").path,
                             Repository.url("schemas/corpus/lines.ndjson").path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ops/schema-check.py failed: is python3 with jsonschema installed (ops/test installs it)?")
        let verdicts = String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" }
        #expect(verdicts.count == Self.lines.count)
        for (index, line) in Self.lines.enumerated() where index < verdicts.count {
            let swift = Self.verdict(line)
            let swiftClass = swift == "ok" || swift == "blank" ? swift : "reject"
            #expect(swiftClass == verdicts[index], "line \(index + 1): Swift says \(swift), the schemas say \(verdicts[index])")
        }
    }

    @Test func theCommittedSchemasAreTheRenderingOfTheFieldTable() throws {
        for file in JSONSchemaRendering.files {
            let committed = try String(contentsOf: Repository.url("schemas/\(file.name)"), encoding: .utf8)
            #expect(committed == file.json, "schemas/\(file.name) is stale: run `healthledger schema --out schemas`")
        }
    }
}
