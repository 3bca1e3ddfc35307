import Dispatch
import Foundation

/// `map` over all cores, for pure work on many small items.
public enum ParallelMap {
    public static let cores = ProcessInfo.processInfo.activeProcessorCount

    public static func map<T, R>(_ items: [T], _ transform: (T) -> R) -> [R] {
        let chunks = min(items.count, cores * 4)
        guard chunks > 1 else { return items.map(transform) }
        return [R](unsafeUninitializedCapacity: items.count) { output, initialized in
            nonisolated(unsafe) let output = output
            nonisolated(unsafe) let items = items
            withoutActuallyEscaping(transform) { transform in
                nonisolated(unsafe) let transform = transform
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    // Each chunk initializes its own slots only, and every slot is one chunk's.
                    for index in stride(from: chunk, to: items.count, by: chunks) {
                        (output.baseAddress! + index).initialize(to: transform(items[index]))
                    }
                }
            }
            initialized = items.count
        }
    }
}
