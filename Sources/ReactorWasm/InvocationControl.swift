import Dispatch
import ReactorCore
import Synchronization
@_spi(Fuzzing) import WasmKit

/// What an invocation's three parties share: the caller waiting in `invoke`, the worker thread running the guest,
/// and the watchdog (the timeout timer, or the caller's cancellation).
///
/// The caller is answered exactly once: by the worker when the guest ends, or by the watchdog when it interrupts the
/// invocation. An interruption also stops the guest: it sets a flag the stdio streams check on every host call, and
/// drains the running store's fuel so the interpreter traps at its next fuel check (every block charges fuel, so
/// that is within a few instructions). Fuel is the interpreter's only preemption point; WasmKit's store is not
/// synchronized, so the drain is repeated every few milliseconds until the worker lets the store go, in case a
/// charge in flight wrote its own result over it.
final class InvocationControl: Sendable {
    enum Interruption: Sendable { case timeout, cancelled }

    /// The store of the running guest, handed to the watchdog (see the type's documentation).
    final class RunningStore: @unchecked Sendable {
        let store: Store
        init(_ store: Store) { self.store = store }
    }

    private struct State {
        var continuation: CheckedContinuation<FunctionInvocation, Never>?
        var answered = false
        var interruption: Interruption?
        var store: RunningStore?
        var logs: SandboxOutput?
    }

    private let state = Mutex(State())
    private let interrupted = Atomic(false)
    let started: ContinuousClock.Instant
    let limits: FunctionLimits

    init(limits: FunctionLimits, started: ContinuousClock.Instant) {
        self.limits = limits
        self.started = started
    }

    /// Whether the invocation was interrupted (cheap: read on every host call).
    var isInterrupted: Bool { interrupted.load(ordering: .relaxed) }

    /// Why the invocation was interrupted, if it was.
    var interruption: Interruption? { state.withLock { $0.interruption } }

    /// Registers the caller's continuation (before the job is queued).
    func attach(_ continuation: CheckedContinuation<FunctionInvocation, Never>) {
        let early: Interruption? = state.withLock { state in
            state.continuation = continuation
            return state.answered ? nil : state.interruption
        }
        if let early { interrupt(early, force: true) }
    }

    /// The worker's guest started in `store`, writing its logs to `logs`.
    func running(_ store: Store, logs: SandboxOutput) -> Bool {
        state.withLock { state in
            guard state.interruption == nil else { return false }
            state.store = RunningStore(store)
            state.logs = logs
            return true
        }
    }

    /// The worker's guest ended: the store is no longer touched by the watchdog.
    func stopped() {
        state.withLock { $0.store = nil }
    }

    /// Answers the caller with `invocation` unless it was answered already.
    func answer(_ invocation: FunctionInvocation) {
        let continuation: CheckedContinuation<FunctionInvocation, Never>? = state.withLock { state in
            guard !state.answered, let continuation = state.continuation else { return nil }
            state.answered = true
            state.continuation = nil
            return continuation
        }
        continuation?.resume(returning: invocation)
    }

    /// Interrupts the invocation: answers the caller with the interruption's error at once and stops the guest.
    func interrupt(_ why: Interruption, force: Bool = false) {
        let first: Bool = state.withLock { state in
            guard !state.answered else { return false }
            if state.interruption != nil && !force { return false }
            state.interruption = why
            return true
        }
        guard first else { return }
        interrupted.store(true, ordering: .relaxed)
        let logs = state.withLock { $0.logs?.contents.bytes } ?? []
        answer(
            FunctionInvocation(
                result: .failure(Self.error(for: why, limits: limits)), logs: FunctionWire.logLines(logs),
                duration: ContinuousClock.Instant.now - started))
        drainFuel()
    }

    /// The error an interruption ends an invocation with.
    static func error(for why: Interruption, limits: FunctionLimits) -> ReactorError {
        switch why {
        case .timeout:
            ReactorError.functionLimit(
                .functionTimeout, limit: "timeout", maximum: String(limits.timeoutMilliseconds),
                "the function did not finish within its timeout of \(limits.timeoutMilliseconds) ms")
        case .cancelled:
            ReactorError(.functionCancelled, "the invocation was cancelled: its caller went away")
        }
    }

    /// Empties the running store's fuel, again every 5 ms until the worker lets the store go.
    private func drainFuel() {
        let running = state.withLock { state -> Bool in
            guard let store = state.store else { return false }
            store.store.fuel = Fuel(remaining: 0)
            return true
        }
        guard running else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(5)) { [self] in drainFuel() }
    }
}
