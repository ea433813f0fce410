import Benchmark
import HotPathFixtures
import ReactorCore

/// Parsing JSON bytes into a `JSONValue` (every request body, every stored operation and keyframe read back), on a
/// 1 KB and a 1 MB document, and the deterministic operation id computed for every action.
let benchmarks: @Sendable () -> Void = {
    for (label, bytes, scaling) in [("1 KB", 1_024, BenchmarkScalingFactor.kilo), ("1 MB", 1_048_576, .one)] {
        Benchmark("JSONValueCoder.parse \(label)", configuration: HotPathFixtures.configuration(scalingFactor: scaling)) { benchmark, document in
            for _ in benchmark.scaledIterations { blackHole(try JSONValueCoder.parse(document)) }
        } setup: {
            HotPathFixtures.jsonDocument(bytes: bytes)
        }
    }

    Benchmark("OperationID.make", configuration: HotPathFixtures.configuration(scalingFactor: .kilo)) { benchmark in
        let stream = StreamID(documentID: "0f8fad5b-d9cb-469f-a165-70867728950e", scope: Scope.global)
        for i in benchmark.scaledIterations { blackHole(OperationID.make(stream: stream, actionID: "action-\(i)")) }
    }
}
