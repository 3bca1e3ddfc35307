import HealthLedgerCore

/// Amazon's report files (`../shared/amazon-reports.md`): tab-separated, one header row.
/// An order that several reports name gets an `order_placed` from each; the order is defined by
/// the first of them by `at`, then by id (section 5). Promises carry `ship_by` and `deliver_by`,
/// so their id (`amazon-order-promises:…`) sorts before the All Orders one (`amazon-orders:…`)
/// of the same purchase time.
extension ImportFormat {
    static let fulfillmentChannels: [String: String] = ["amazon": "marketplace", "afn": "marketplace", "merchant": "merchant", "mfn": "merchant"]
    static let truths: [String: Bool] = ["true": true, "yes": true, "y": true, "1": true, "false": false, "no": false, "n": false, "0": false]

    static let amazonOrders = ImportFormat(
        name: "amazon-orders",
        summary: "All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL or …_BY_LAST_UPDATE_GENERAL), one row per order item: order_placed, and order_cancelled for a cancelled order.",
        dialect: .tabSeparated,
        columns: [
            .required("amazon-order-id", "the order"),
            .required("purchase-date", "order_placed's at"),
            .required("order-status", "Cancelled makes an order_cancelled"),
            .required("fulfillment-channel", "Amazon (FBA) or Merchant (FBM)"),
            .optional("last-updated-date", "the cancellation's at (else purchase-date)"),
            .optional("is-buyer-requested-cancellation", "true: the buyer cancelled; otherwise a cancellation is the seller's"),
        ],
        readsTranslatedHeaderByPosition: false
    ) { row throws(RowProblem) in
        let order = try row.required("amazon-order-id")
        let placed = try row.time("purchase-date")
        let fulfillment = try row.choice("fulfillment-channel", fulfillmentChannels, expecting: "Amazon, AFN, Merchant or MFN")
        let status = try row.required("order-status")
        row.emit("order_placed", key: order, at: placed, [("order", .string(order)), ("fulfillment", .string(fulfillment))])
        if status.lowercased() == "cancelled" || status.lowercased() == "canceled" {
            let byBuyer = row.text("is-buyer-requested-cancellation") == nil ? false : try row.choice("is-buyer-requested-cancellation", truths, expecting: "true or false")
            let at = try row.optionalTime("last-updated-date") ?? placed
            row.emit("order_cancelled", key: order, at: at, [("order", .string(order)), ("by", .string(byBuyer ? "buyer" : "seller"))])
        }
    }

    static let amazonOrderPromises = ImportFormat(
        name: "amazon-order-promises",
        summary: "Seller-fulfilled orders with their promises (GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING): order_placed with ship_by and deliver_by.",
        dialect: .tabSeparated,
        columns: [
            .required("order-id", "the order"),
            .required("purchase-date", "order_placed's at"),
            .required("latest-ship-date", "ship_by"),
            .optional("latest-delivery-date", "deliver_by"),
        ],
        readsTranslatedHeaderByPosition: false
    ) { row throws(RowProblem) in
        let order = try row.required("order-id")
        row.emit("order_placed", key: order, at: try row.time("purchase-date"), [
            ("order", .string(order)), ("fulfillment", .string("merchant")),
            ("ship_by", .string(try row.time("latest-ship-date").rfc3339)),
            ("deliver_by", try row.optionalTime("latest-delivery-date").map { .string($0.rfc3339) }),
        ])
    }

    static let amazonFBAShipments = ImportFormat(
        name: "amazon-fba-shipments",
        summary: "Amazon-fulfilled shipments (GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL), one row per shipment item: order_placed (FBA) and order_shipped.",
        dialect: .tabSeparated,
        columns: [
            .required("amazon-order-id", "the order"),
            .required("purchase-date", "order_placed's at"),
            .required("shipment-date", "order_shipped's at"),
            .optional("shipment-id", "one order_shipped per shipment"),
            .optional("carrier", "carrier"),
            .optional("tracking-number", "tracking"),
        ],
        readsTranslatedHeaderByPosition: false
    ) { row throws(RowProblem) in
        let order = try row.required("amazon-order-id")
        row.emit("order_placed", key: order, at: try row.time("purchase-date"), [("order", .string(order)), ("fulfillment", .string("marketplace"))])
        let shipment = row.text("shipment-id").map { "\(order)/\($0)" } ?? order
        row.emit("order_shipped", key: shipment, at: try row.time("shipment-date"), [
            ("order", .string(order)), ("carrier", row.text("carrier").map(JSONValue.string)),
            ("tracking", row.text("tracking-number").map(JSONValue.string)),
        ])
    }

    static let amazonFeedback = ImportFormat(
        name: "amazon-feedback",
        summary: "Seller feedback (GET_SELLER_FEEDBACK_DATA): feedback_posted, one per order (its feedback id is the order id), on the start of its date in the seller's time zone. The date format is the marketplace's (--marketplace); a translated header is read by position.",
        dialect: .tabSeparated,
        columns: [
            .required("date", "feedback_posted's day"),
            .required("rating", "rating, 1 to 5"),
            .optional("comments", "not read"),
            .optional("response", "not read"),
            .required("order-id", "the order, and the feedback id"),
            .optional("rater-email", "not read"),
        ],
        readsTranslatedHeaderByPosition: true
    ) { row throws(RowProblem) in
        let order = try row.required("order-id")
        row.emit("feedback_posted", key: order, at: try row.time("date"), [
            ("order", .string(order)), ("feedback", .string(order)), ("rating", .integer(try row.integer("rating", in: 1...5))),
        ])
    }

    /// The returns report carries no handling time. Amazon authorizes most requests itself when
    /// they are made, so a request already approved, closed, refunded or rejected is taken as
    /// handled when requested; a pending one has no handling, and turns late after 48 h as it
    /// does at Amazon.
    static let returnDecisions: [String: String] = [
        "approved": "authorized", "authorized": "authorized", "closed": "closed", "refunded": "refunded", "rejected": "rejected",
    ]

    static let amazonReturns = ImportFormat(
        name: "amazon-returns",
        summary: "Returns (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE): return_requested, and return_handled at the request time when the request is already approved, closed, refunded or rejected.",
        dialect: .tabSeparated,
        columns: [
            .required("order-id", "the order"),
            .required("return-request-date", "return_requested's at"),
            .required("amazon-rma-id", "the return"),
            .optional("return-request-status", "Approved, Authorized, Closed, Refunded or Rejected: handled when requested"),
        ],
        readsTranslatedHeaderByPosition: false
    ) { row throws(RowProblem) in
        let order = try row.required("order-id")
        let request = try row.required("amazon-rma-id")
        let requested = try row.time("return-request-date")
        let fields: [(String, JSONValue?)] = [("order", .string(order)), ("return", .string(request))]
        row.emit("return_requested", key: request, at: requested, fields)
        let status = row.text("return-request-status").map { String($0.lowercased().filter(\.isLetter)) }
        if let decision = status.flatMap({ returnDecisions[$0] }) {
            row.emit("return_handled", key: request, at: requested, fields + [("decision", .string(decision))])
        }
    }
}
