import HealthLedgerCore

/// Comma-separated exports of what Amazon's files do not carry: the seller's shipping
/// software, carrier feeds, claim lists and helpdesk. Their headers are HealthLedger's own
/// (`schemas/import-formats.md`).
extension ImportFormat {
    static let shipmentsCSV = ImportFormat(
        name: "shipments-csv",
        summary: "Seller-fulfilled ship confirmations from shipping software: order_shipped, one per order (the first confirmation is the one that counts).",
        dialect: .commaSeparated,
        columns: [
            .required("order-id", "the order"),
            .required("ship-date", "order_shipped's at"),
            .optional("carrier", "carrier"),
            .optional("tracking-number", "tracking"),
        ],
        readsTranslatedHeaderByPosition: false
    ) { row throws(RowProblem) in
        let order = try row.required("order-id")
        row.emit("order_shipped", key: order, at: try row.time("ship-date"), [
            ("order", .string(order)), ("carrier", row.text("carrier").map(JSONValue.string)),
            ("tracking", row.text("tracking-number").map(JSONValue.string)),
        ])
    }

    static let carrierScansCSV = ImportFormat(
        name: "carrier-scans-csv",
        summary: "Carrier scans from a carrier feed: carrier_scan, one per order and scan time.",
        dialect: .commaSeparated,
        columns: [
            .required("order-id", "the order"),
            .required("scan-time", "carrier_scan's at"),
            .optional("tracking-number", "not read"),
            .optional("carrier", "not read"),
        ],
        readsTranslatedHeaderByPosition: false
    ) { row throws(RowProblem) in
        let order = try row.required("order-id")
        let scanned = try row.time("scan-time")
        row.emit("carrier_scan", key: "\(order)/\(scanned.instant.microseconds)", at: scanned, [("order", .string(order))])
    }

    static let claimKinds: [String: String] = ["atoz": "a_to_z", "atozguarantee": "a_to_z", "azclaim": "a_to_z", "chargeback": "chargeback"]

    static let claimsCSV = ImportFormat(
        name: "claims-csv",
        summary: "A-to-z claims and chargebacks: claim_filed, and claim_reversed when the claim was reversed on appeal.",
        dialect: .commaSeparated,
        columns: [
            .required("order-id", "the order"),
            .required("claim-id", "the claim"),
            .required("kind", "a_to_z (also A-to-z, A-to-z Guarantee) or chargeback"),
            .required("filed-at", "claim_filed's at"),
            .optional("reversed-at", "claim_reversed's at"),
        ],
        readsTranslatedHeaderByPosition: false
    ) { row throws(RowProblem) in
        let order = try row.required("order-id")
        let claim = try row.required("claim-id")
        let fields: [(String, JSONValue?)] = [("order", .string(order)), ("claim", .string(claim))]
        row.emit("claim_filed", key: claim, at: try row.time("filed-at"), fields + [("kind", .string(try row.choice("kind", claimKinds, expecting: "a claim kind: a_to_z or chargeback")))])
        if let reversed = try row.optionalTime("reversed-at") { row.emit("claim_reversed", key: claim, at: reversed, fields) }
    }

    static let senders: [String: Bool] = ["buyer": true, "customer": true, "seller": false, "agent": false]

    static let messagesCSV = ImportFormat(
        name: "messages-csv",
        summary: "Buyer messages and seller replies together, as helpdesks export them: buyer_message or seller_reply, one per message.",
        dialect: .commaSeparated,
        columns: [
            .required("thread-id", "the thread"),
            .required("message-id", "the message"),
            .optional("order-id", "the order a buyer message names"),
            .required("sender", "buyer (or customer) or seller (or agent)"),
            .required("sent-at", "the message's at"),
            .optional("handle-seconds", "a seller reply's agent working time, in seconds"),
        ],
        readsTranslatedHeaderByPosition: false
    ) { row throws(RowProblem) in
        let thread = try row.required("thread-id")
        let message = try row.required("message-id")
        let sent = try row.time("sent-at")
        if try row.choice("sender", senders, expecting: "buyer, customer, seller or agent") {
            row.emit("buyer_message", key: "\(thread)/\(message)", at: sent, [
                ("thread", .string(thread)), ("message", .string(message)), ("order", row.text("order-id").map(JSONValue.string)),
            ])
        } else {
            let seconds = try row.text("handle-seconds") == nil ? nil : row.integer("handle-seconds", in: 0...Int(Int32.max))
            row.emit("seller_reply", key: "\(thread)/\(message)", at: sent, [("thread", .string(thread)), ("handle_seconds", seconds.map(JSONValue.integer))])
        }
    }
}

extension ImportFormat {
    public static let all: [ImportFormat] = [
        amazonOrders, amazonOrderPromises, amazonFBAShipments, amazonFeedback, amazonReturns,
        shipmentsCSV, carrierScansCSV, claimsCSV, messagesCSV,
    ]
}
