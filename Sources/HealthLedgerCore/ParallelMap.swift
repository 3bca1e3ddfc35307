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

    /// Folds `items` on all cores, each chunk into its own partial result from `initial`, then
    /// merges the partial results: for sums of many small parts, which one core would add up alone.
    public static func reduce<T, R>(_ items: [T], into initial: R, _ fold: (inout R, T) -> Void, merge: (inout R, R) -> Void) -> R {
        let chunks = min(items.count, cores * 4)
        guard chunks > 1 else { return items.reduce(into: initial, fold) }
        let partials = map(Array(0..<chunks)) { chunk in
            var partial = initial
            for index in stride(from: chunk, to: items.count, by: chunks) { fold(&partial, items[index]) }
            return partial
        }
        var result = initial
        for partial in partials { merge(&result, partial) }
        return result
    }
}
