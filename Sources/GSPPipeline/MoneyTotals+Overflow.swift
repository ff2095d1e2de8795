import GSPCore

extension MoneyTotals {
    /// Records a figure in `currency` too large for 64 bits (a royalty fee x volume, a PIS fee):
    /// the sum is shown as "over" the limit, never left out and never wrapped.
    mutating func addOverflow(_ currency: String) {
        add(Money(minorUnits: .max, currency: currency))
        markOverflowed(currency)
    }

    /// Adds a deal's report value; a contract value past 64 bits counts as an overflow.
    /// - Returns: false when the deal has no value to add.
    @discardableResult
    mutating func add(valueOf deal: Deal) -> Bool {
        if let currency = deal.contractOverflowCurrency { addOverflow(currency); return true }
        guard let value = deal.reportValue else { return false }
        add(value)
        return true
    }

    /// Totals holding one figure: the money, or an overflow in `currency` when it is nil.
    static func exactOrOver(_ money: Money?, currency: String?) -> MoneyTotals {
        var totals = MoneyTotals()
        if let money { totals.add(money) } else if let currency { totals.addOverflow(currency) }
        return totals
    }
}

extension Deal {
    /// The currency of a complete contract model whose value does not fit 64 bits (fee x volume).
    var contractOverflowCurrency: String? {
        guard let contract, contract.value == nil else { return nil }
        switch contract {
        case let .royalty(fee, _, _), let .oneTimeCharge(fee, _, _): return fee.currency
        }
    }
}

extension MoneyTotals {
    /// Adds every currency of `other`, keeping its overflow marks.
    mutating func add(_ other: MoneyTotals) {
        for amount in other.amounts {
            add(amount)
            if other.overflowed.contains(amount.currency) { markOverflowed(amount.currency) }
        }
    }
}
