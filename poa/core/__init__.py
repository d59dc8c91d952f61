"""The kernel: what every stage shares and nothing else. The records that pass between the stages (`records`),
the stable keys (`keys`), the text helpers (`vocab`), the template profile (`profile`) and poa's errors
(`errors`). It imports no stage and no orchestrator: `python -X importtime -c "import poa.core.records"` loads
none of them (a test holds it)."""
