package hubsim

import "testing"

// TestSecurityStatus checks the scanner fields of issue 10: model info's
// securityRepoStatus with securityStatus=true, and each file's
// securityFileStatus in tree and paths-info with expand, with the keys
// huggingface_hub's RepoFile requires.
func TestSecurityStatus(t *testing.T) {
	s := startTest(t, Options{})
	type status struct {
		Status string
		AvScan *struct {
			VirusFound bool `json:"virusFound"`
			VirusNames []string
		} `json:"avScan"`
		PickleImportScan *struct{ HighestSafetyLevel string } `json:"pickleImportScan"`
	}
	var info struct {
		SecurityRepoStatus struct {
			ScansDone       bool `json:"scansDone"`
			FilesWithIssues []struct{ Path, Level string }
		} `json:"securityRepoStatus"`
	}
	getJSON(t, s.URL()+"/api/models/"+RepoXet+"?securityStatus=true", "", &info)
	rs := info.SecurityRepoStatus
	if !rs.ScansDone || len(rs.FilesWithIssues) != 1 || rs.FilesWithIssues[0].Path != "original/xet-llama.pt" ||
		rs.FilesWithIssues[0].Level != "unsafe" {
		t.Errorf("securityRepoStatus %+v", rs)
	}
	var clean struct {
		SecurityRepoStatus struct{ FilesWithIssues []any } `json:"securityRepoStatus"`
	}
	getJSON(t, s.URL()+"/api/models/"+RepoTiny+"?securityStatus=True", "", &clean)
	if clean.SecurityRepoStatus.FilesWithIssues == nil || len(clean.SecurityRepoStatus.FilesWithIssues) != 0 {
		t.Errorf("a clean repo: %+v", clean)
	}

	var tree []struct {
		Type, Path string
		LastCommit *struct{ ID, Title, Date string } `json:"lastCommit"`
		Security   *status                           `json:"securityFileStatus"`
	}
	getJSON(t, s.URL()+"/api/models/"+RepoXet+"/tree/main?recursive=True&expand=True", "", &tree)
	for _, e := range tree {
		if e.LastCommit == nil || e.LastCommit.ID == "" {
			t.Errorf("%s: no lastCommit", e.Path)
		}
		switch {
		case e.Type == "directory" && e.Security != nil:
			t.Errorf("directory %s has a securityFileStatus", e.Path)
		case e.Type == "directory":
		case e.Security == nil || e.Security.AvScan == nil:
			t.Errorf("%s: securityFileStatus %+v", e.Path, e.Security)
		case e.Path == "original/xet-llama.pt" && (e.Security.Status != "unsafe" || e.Security.PickleImportScan == nil):
			t.Errorf("the flagged pickle: %+v", e.Security)
		case e.Path != "original/xet-llama.pt" && (e.Security.Status != "safe" || e.Security.AvScan.VirusFound):
			t.Errorf("%s: %+v, want safe", e.Path, e.Security)
		}
	}
}
