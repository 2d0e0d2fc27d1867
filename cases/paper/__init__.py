"""The paper trail of a case: statutory notices (告知文书) with their 文号, and attachments (材料)."""
