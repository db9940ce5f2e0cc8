"""Terms: the glossary (term base) and keeping its terms intact through machine translation."""
