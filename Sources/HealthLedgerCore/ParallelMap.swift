import Dispatch
import Foundation

/// `map` over all cores, for pure work on many small items.
public enum ParallelMap {
    public static let cores = ProcessInfo.processInfo.activeProcessorCount

    public static func map<T, R>(_ items: [T], _ transform: (T) -> R) -> [R] {
        let chunks = min(items.count, cores * 4)
        guard chunks > 1 else { return items.map(transform) }
        var results = [R?](repeating: nil, count: items.count)
        results.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            nonisolated(unsafe) let items = items
            withoutActuallyEscaping(transform) { transform in
                nonisolated(unsafe) let transform = transform
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    // Each chunk writes its own slots only.
                    for index in stride(from: chunk, to: items.count, by: chunks) { output[index] = transform(items[index]) }
                }
            }
        }
        return results.map { $0! }
    }
}
