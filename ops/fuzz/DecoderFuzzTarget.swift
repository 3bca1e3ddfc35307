/// libFuzzer's entry point for the decoder and validator, compiled with the core's sources by
/// `ops/fuzz-decoder`: every input must be accepted, or rejected with a reason and a field.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = Array(UnsafeBufferPointer(start: data, count: size))
    guard !EventDecoder.isBlank(line) else { return 0 }
    switch EventDecoder.decode(line) {
    case .success(let decoded):
        precondition(!decoded.event.id.isEmpty && !decoded.event.seller.isEmpty, "accepted an event without id or seller")
    case .failure(let rejection):
        precondition(!rejection.field.isEmpty && !rejection.message.isEmpty, "a rejection without field or reason")
    }
    return 0
}
