import PostgresNIO

/// Builds a statement whose shape depends on optional filters: fixed SQL fragments, every value a bind parameter.
struct QueryBuilder {
    private var sql: String
    private var binds = PostgresBindings()

    init(_ sql: String) {
        self.sql = sql
    }

    /// Appends a fixed SQL fragment (never user data).
    mutating func append(_ fragment: String) {
        sql += fragment
    }

    /// Appends a placeholder bound to `value`.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) {
        binds.append(value)
        sql += "$\(binds.count)"
    }

    /// Appends a placeholder bound to NULL.
    mutating func bindNull() {
        binds.appendNull()
        sql += "$\(binds.count)"
    }

    /// The statement.
    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}

extension QueryBuilder {
    /// Appends a placeholder bound to `value`, or to NULL.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value?) {
        if let value { bind(value) } else { bindNull() }
    }
}
