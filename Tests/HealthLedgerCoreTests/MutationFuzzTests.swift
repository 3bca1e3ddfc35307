import Foundation
import HealthLedgerCore
import HealthLedgerSimulation
import Testing

/// Hostile input: lines of the validation corpus, mutated at random (bytes flipped, inserted,
/// deleted, duplicated spans, truncation), must each be accepted, or rejected with a reason and
/// a field; nothing may crash. Seeded, so a failure replays; `FUZZ_INPUTS` sets the count.
struct MutationFuzzTests {
    static let inputs = Int(ProcessInfo.processInfo.environment["FUZZ_INPUTS"] ?? "") ?? 200_000

    static func mutate(_ line: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = line
        for _ in 0...random.below(4) {
            let position = bytes.isEmpty ? 0 : random.below(bytes.count)
            switch random.below(6) {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1 << random.below(8))
            case 1: bytes.insert(UInt8(random.below(256)), at: position)
            case 2 where !bytes.isEmpty: bytes.remove(at: position)
            case 3: bytes.insert(contentsOf: Array("{}[]\",:\\0.e-".utf8)[random.below(13)...].prefix(1), at: position)
            case 4 where bytes.count > 2:
                let end = min(bytes.count, position + 1 + random.below(16))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default: bytes = Array(bytes.prefix(position))
            }
        }
        return bytes
    }

    @Test func mutatedLinesAreAcceptedOrRejectedWithAReason() {
        var random = SplitMix64(seed: 20261123)
        let corpus = ValidationCorpusTests.lines.filter { !$0.isEmpty }
        var outcomes: [String: Int] = [:]
        for _ in 0..<Self.inputs {
            let line = Self.mutate(corpus[random.below(corpus.count)], &random)
            guard !EventDecoder.isBlank(line) else { continue }
            switch EventDecoder.decode(line) {
            case .success(let decoded):
                #expect(!decoded.event.id.isEmpty && !decoded.event.seller.isEmpty)
                outcomes["ok", default: 0] += 1
            case .failure(let rejection):
                #expect(!rejection.field.isEmpty && !rejection.message.isEmpty)
                outcomes[rejection.reason.rawValue, default: 0] += 1
            }
        }
        // The mutations reach both verdicts and several rejection classes.
        #expect(outcomes["ok", default: 0] > 0)
        #expect(outcomes.keys.count >= 5, "\(outcomes)")
    }
}
