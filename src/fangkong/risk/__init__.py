"""Risk areas (封控区 / 管控区 / 防范区, later high / medium / low): designation, lifting on the
policy's conditions after approval, and life inside a sealed area: supply and medical
requests, the special-groups roster with its daily check, and exit passes checked at gates."""
