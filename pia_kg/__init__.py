"""pia-kg: a knowledge graph of 特定個人情報保護評価書 and the 番号法 tables they cite."""
