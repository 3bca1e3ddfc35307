import Foundation
import HealthLedgerStore
import Testing

struct StoreErrorTests {
    @Test func aFileThatIsNotADatabaseIsNamedAsSuch() throws {
        let database = TemporaryDatabase()
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: database.path))
        #expect(throws: StoreError.notADatabase(path: database.path)) { try database.open() }
    }

    @Test func aDatabaseFromANewerHealthLedgerIsRefused() throws {
        let database = TemporaryDatabase()
        _ = try database.open()
        try database.sqlite3("INSERT INTO grdb_migrations VALUES ('v99: from the future')")
        #expect(throws: StoreError.newerSchema(path: database.path)) { try database.open() }
    }

    @Test func aReadOnlyDatabaseGivesOneSentence() throws {
        guard getuid() != 0 else {
            // root writes through file modes; a read-only open shows the same path.
            let database = TemporaryDatabase()
            _ = try database.open()
            let log = try EventLog(path: database.path, readOnly: true)
            #expect(throws: StoreError.readOnly(path: database.path)) { try log.append([scan("e1")], recordedAt: recorded) }
            return
        }
        let database = TemporaryDatabase()
        _ = try database.open()
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: database.path)
        #expect(throws: StoreError.readOnly(path: database.path)) { try database.open().append([scan("e1")], recordedAt: recorded) }
    }

    @Test func aMissingFolderCannotBeOpened() {
        let path = "/nonexistent-\(UUID().uuidString)/log.sqlite"
        #expect(throws: StoreError.self) { try EventLog(path: path) }
        #expect(StoreError.readOnly(path: "x").description == "The database x is read-only: check the permissions of the file and of its folder.")
    }
}
