import Foundation
import GSPCore
import GSPPostgres

extension PostgresServerStore {
    public func addUser(_ user: User, tokenHash: [UInt8], beforeCommit: () throws -> Void) throws {
        try SQLiteServerStore.validate(userName: user.name)
        try run { db in
            try db.transaction {
                let found = try db.execute("SELECT revoked FROM users WHERE name = $1 FOR UPDATE", [.text(user.name)])
                if found.rowCount == 1 && !found.bool(0, 0) {
                    throw ServerStoreError("user '\(user.name)' already exists: run 'gsp-server user revoke \(UserName.commandWord(user.name))' first to issue a new token")
                }
                try db.execute("""
                    INSERT INTO users(name, role, region, token_hash, revoked, created) VALUES ($1, $2, $3, $4, false, $5)
                    ON CONFLICT (name) DO UPDATE SET role = excluded.role, region = excluded.region,
                        token_hash = excluded.token_hash, revoked = false, created = excluded.created
                    """, [.text(user.name), .text(user.role.rawValue), .optional(user.region), .bytes(tokenHash), .integer(user.created.milliseconds)])
                try beforeCommit()
            }
        }
    }

    public func users() throws -> [User] {
        try run { db in
            let rows = try db.execute("SELECT name, role, region, revoked, created FROM users ORDER BY name")
            return try (0..<rows.rowCount).map { try Self.user(rows, $0) }
        }
    }

    public func activeCredentials() throws -> [UserCredential] {
        try run { db in
            let rows = try db.execute("SELECT name, role, region, revoked, created, token_hash FROM users WHERE NOT revoked")
            return try (0..<rows.rowCount).map { UserCredential(user: try Self.user(rows, $0), tokenHash: rows.bytes($0, 5)) }
        }
    }

    public func revokeUser(named name: String) throws {
        try run { db in
            let updated = try db.execute("UPDATE users SET revoked = true WHERE name = $1", [.text(name)])
            if updated.affectedRows == 0 { throw ServerStoreError("no user named '\(name)': see 'gsp-server user list'") }
        }
    }

    static func user(_ rows: PostgresResult, _ index: Int) throws -> User {
        guard let role = Role(rawValue: rows.text(index, 1)) else {
            throw ServerStoreError("user '\(rows.text(index, 0))' has an unknown role '\(rows.text(index, 1))'")
        }
        return User(name: rows.text(index, 0), role: role, region: rows.optionalText(index, 2),
                    revoked: rows.bool(index, 3), created: Date(milliseconds: rows.integer(index, 4)))
    }
}
