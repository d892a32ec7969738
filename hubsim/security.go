package hubsim

// The Hub's malware and pickle scanners, as clients read their results.
// hubsim scans nothing: a catalog's Repo.Unsafe says which files the
// scanners flag, every other file is safe.

// securityRepoStatus is model info's securityRepoStatus (securityStatus=true):
// {"scansDone": true, "filesWithIssues": [{"path", "level"}]}. UNVERIFIED:
// the shape is that seen by third-party clients of the live Hub.
func (v *repoView) securityRepoStatus() jsonObject {
	issues := []jsonObject{}
	for _, f := range v.c.files {
		if level := v.re.Unsafe[f.path]; level != "" {
			issues = append(issues, jsonObject{{"path", f.path}, {"level", level}})
		}
	}
	return jsonObject{{"scansDone", true}, {"filesWithIssues", issues}}
}

// securityFileStatus is a tree or paths-info entry's securityFileStatus
// (expand=true), with the keys huggingface_hub's RepoFile requires:
// status, avScan and pickleImportScan. A flagged pickle reports an
// os.system import, as picklescan does for the classic exploit.
func securityFileStatus(re *repoEntry, path string) jsonObject {
	level := re.Unsafe[path]
	if level == "" {
		return jsonObject{{"status", "safe"}, {"avScan", jsonObject{{"virusFound", false}, {"virusNames", nil}}},
			{"pickleImportScan", nil}}
	}
	return jsonObject{{"status", level},
		{"avScan", jsonObject{{"virusFound", false}, {"virusNames", nil}}},
		{"pickleImportScan", jsonObject{{"highestSafetyLevel", "dangerous"},
			{"imports", []jsonObject{{{"module", "os"}, {"name", "system"}, {"safety", "dangerous"}}}}}}}
}
