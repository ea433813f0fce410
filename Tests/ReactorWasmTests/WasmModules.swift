import Foundation
import ReactorCore
import ReactorTesting
import ReactorWasm

/// The committed test modules (`Modules/*.wat`, compiled by the runtime from text at every run).
enum WasmModules {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Modules")

    /// The text of `Modules/<name>.wat`.
    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(name).wat"), encoding: .utf8)
    }

    /// `Modules/<name>.wat` as a source.
    static func source(_ name: String) throws -> FunctionSource {
        .text(try text(name))
    }

    /// The fixture of the conformance suite for `runtime`.
    static func fixture(_ runtime: WasmFunctionRuntime) -> FunctionRuntimeFixture {
        FunctionRuntimeFixture(runtime: runtime, invalidModule: .binary(Array("definitely not a module".utf8))) { behaviour in
            try source(behaviour.rawValue)
        }
    }

    /// A binary module whose only function body is invalid (it leaves an i32 on the stack of a function without
    /// results): `wat2wasm --no-check` of `(module (memory (export "memory") 1) (func (export "_start") (i32.const 1)))`.
    static let invalidBody: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
        0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x13, 0x02, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x06,
        0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x01, 0x0b,
    ]
}
