/** Feature table: the link settings of an uplink (mtu, mac). */
import { FILES as F, type FeatureCase } from './feature-case.js';

export const LINK_CASES: FeatureCase[] = [
  {
    feature: 'uplinks[].mtu and uplinks[].mac',
    snippet: 'uplinks: [{mtu: 1492, mac: "02:00:00:00:00:01"}]',
    files: {
      ifcfg: { [F.ifcfgEth1]: ['HWADDR=02:00:00:00:00:01\nMTU=1492'] },
      nm: { [F.nmWan1]: ['mac-address=02:00:00:00:00:01\nmtu=1492'] },
      eni: { [F.eni]: ['    hwaddress ether 02:00:00:00:00:01\n    mtu 1492'] },
      networkd: {
        [F.networkdWan1Link]: ['[Match]\nMACAddress=02:00:00:00:00:01', '[Link]\nName=eth1'],
        [F.networkdWan1]: ['MACAddress=02:00:00:00:00:01', 'MTUBytes=1492'],
      },
      netplan: { [F.netplan]: ['    eth1:\n      match:\n        macaddress: "02:00:00:00:00:01"\n      set-name: eth1', '      mtu: 1492'] },
    },
  },
];
